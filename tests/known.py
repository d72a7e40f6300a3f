"""Facts of the committed registry that several test modules check against (written out by hand)."""

OWN = "Region Örebro län"
SWEDISH_REGIONS = {
    "Region Blekinge", "Region Dalarna", "Region Gotland", "Region Gävleborg", "Region Halland",
    "Region Jämtland Härjedalen", "Region Jönköpings län", "Region Kalmar län", "Region Kronoberg",
    "Region Norrbotten", "Region Skåne", "Region Stockholm", "Region Sörmland", "Region Uppsala",
    "Region Värmland", "Region Västerbotten", "Region Västernorrland", "Region Västmanland",
    "Region Örebro län", "Region Östergötland", "Västra Götalandsregionen",
}
OREBRO_LAN_MUNICIPALITIES = {
    "Askersund", "Degerfors", "Hallsberg", "Hällefors", "Karlskoga", "Kumla", "Laxå", "Lekeberg",
    "Lindesberg", "Ljusnarsberg", "Nora", "Örebro",
}
