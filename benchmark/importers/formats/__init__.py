"""One module per family of export formats."""
