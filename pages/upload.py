"""Upload: analysts drop platform exports, check the preview, link pages, confirm; history with undo."""

import hashlib

import pandas as pd
import streamlit as st

from benchmark import accounts, imports, ui
from benchmark.errors import BenchmarkError
from benchmark.importers.formats.template import template_csv, template_xlsx
from benchmark.importers.model import ImportRejected, NeedsInputError
from benchmark.periods import parse_period
from benchmark.vocabulary import PLATFORMS

FILES = "upload.files"  # [(name, bytes)] waiting for a decision; AppTest sets it directly
DONE = "upload.done"  # messages of the last imports, shown after the rerun

st.title("Upload")
st.caption(
    "Drop the files you export from Meta Business Suite (Facebook, Instagram), LinkedIn, YouTube Studio, X or "
    "TikTok, or the project template. Nothing is written until you confirm; a file with any unreadable value "
    "is refused as a whole, and the same file twice changes nothing."
)
store = ui.get_store()

left, right = st.columns([3, 2])
with right.expander("Blank template", icon=":material/table:"):
    st.write("One row per organisation, platform and period, for figures collected from members or copied "
             "from another tool. Empty cells mean *unknown*, never 0.")
    a, b = st.columns(2)
    a.download_button("CSV", template_csv(), "benchmark-template.csv", "text/csv", key="upload.template_csv")
    b.download_button("Excel", template_xlsx(), "benchmark-template.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="upload.template_xlsx")

generation = st.session_state.setdefault("upload.generation", 0)
dropped = left.file_uploader(
    "Export files", accept_multiple_files=True, key=f"upload.files.{generation}",
    help="CSV, XLSX or XLS as the platform exported them (also re-saved in Excel).",
)
if dropped:
    st.session_state[FILES] = [(f.name, f.getvalue()) for f in dropped]

with st.expander("For files that do not say it themselves", expanded=False, icon=":material/edit_note:"):
    st.caption("Meta chart exports, YouTube, TikTok and some X files do not name the page or platform.")
    c1, c2, c3, c4 = st.columns(4)
    platform = c1.selectbox("Platform", [None, *PLATFORMS], format_func=lambda p: "from the file" if p is None else PLATFORMS[p],
                            key="upload.platform")
    options = ui.cached_organisation_options(store, store.data_version())
    labels = dict(zip(options["organisation_id"], options["label"], strict=True))
    organisation_id = c2.selectbox("Organisation", [None, *options["organisation_id"].tolist()],
                                   format_func=lambda i: "—" if i is None else labels[i], key="upload.organisation",
                                   help="Links every page of the file that is not linked yet to this organisation.")
    account = c3.text_input("Page name", key="upload.account", placeholder="e.g. Region Örebro län")
    period_text = c4.text_input("Exported period", key="upload.period", placeholder="2025-Q3 or 2025-07-01..2025-09-30")

for message in st.session_state.pop(DONE, []):
    st.success(message, icon=":material/check_circle:")


def _options() -> imports.ImportOptions | None:
    period = None
    if period_text.strip():
        try:
            period = parse_period(period_text)
        except BenchmarkError as exc:
            st.error(str(exc))
            return None
    return imports.ImportOptions(platform=platform, organisation_id=organisation_id, account=account.strip() or None,
                                 period=period, created_by=st.session_state.get("user", "dashboard"))


def _show_plan(index: int, name: str, plan: imports.ImportPlan) -> dict[int, int | None] | None:
    """The preview; returns the links chosen for unlinked pages, or None when there is nothing to import."""
    if plan.duplicate_of is not None:
        st.info(plan.summary(), icon=":material/content_copy:")
        return None
    st.write(f"**{plan.format_label}** · {plan.first_day} to {plan.last_day} · {plan.row_count:,} rows")
    links: dict[int, int | None] = {}
    ids = options["organisation_id"].tolist()
    unlinked = [a for a in plan.accounts if a.organisation_id is None]
    everyone = None
    if len(unlinked) > 1:  # one organisation often runs several pages: link them in one go
        everyone = st.selectbox(
            f"Link all {len(unlinked)} pages that are not linked yet to", [None, *ids],
            format_func=lambda i: "— choose per page below —" if i is None else labels[i],
            key=f"upload.link_all.{index}",
            help="Not in the registry (a broadcaster, a hospital)? Add it with `benchmark org add`.",
        )
    for position, acct in enumerate(plan.accounts):
        if acct.organisation_id is not None:
            st.write(f":material/link: {acct.label} → **{acct.organisation_name}** ({acct.how})")
            continue
        if everyone is not None:
            links[position] = everyone
            continue
        suggested = [i for i in ids if labels[i].split(" (")[0] in acct.suggestions]
        links[position] = st.selectbox(
            f"{acct.label} is not linked to an organisation", [None, *suggested, *[i for i in ids if i not in suggested]],
            format_func=lambda i: "leave unlinked for now (link later)" if i is None else labels[i],
            key=f"upload.link.{index}.{position}",
            help="Linked once, the next upload of this page finds its organisation by itself. "
                 "Closest registry names are listed first.",
        )
    for note in plan.parsed.notes:
        st.caption(f":material/info: {note}")
    if plan.parsed.ignored_columns:
        st.caption("Columns not used: " + ", ".join(plan.parsed.ignored_columns[:15])
                   + (" …" if len(plan.parsed.ignored_columns) > 15 else ""))
    changes = plan.changes
    n_changed = int(changes["changed"].sum()) if len(changes) else 0
    st.write(f"{int(changes['new'].sum()) if len(changes) else 0:,} new · "
             f"{int(changes['same'].sum()) if len(changes) else 0:,} same as stored · **{n_changed:,} would change**")
    st.dataframe(changes.astype({"stored": "Int64", "incoming": "Int64"}), hide_index=True, width="stretch",
                 height=ui.table_height(len(changes), 12),
                 column_config={"stored": st.column_config.NumberColumn("stored total"),
                                "incoming": st.column_config.NumberColumn("new total")})
    return links


pending = st.session_state.get(FILES, [])
run_options = _options() if pending else None
if run_options is None:  # nothing dropped, or the period above cannot be read (said already)
    pending = []
for index, (name, content) in enumerate(pending):
    with st.container(border=True):
        st.subheader(name, divider=False)
        # A plan is reused across reruns until the data or the options change.
        key = hashlib.sha256(content).hexdigest() + repr(run_options) + repr(store.data_version())
        try:
            plan = st.session_state.get(f"upload.plan.{key}")
            # One slot on every run (so the widgets below keep their identity) that shows each step
            # of reading a file while it runs: large files take seconds.
            progress_line = st.empty()
            try:
                if plan is None:
                    plan = imports.plan_import(
                        store, name, content, run_options,
                        progress=lambda step, line=progress_line, n=name: line.caption(
                            f":material/hourglass_top: {n}: {step}…"))
            finally:
                progress_line.empty()
            st.session_state[f"upload.plan.{key}"] = plan
        except ImportRejected as exc:
            st.error(f"**Not imported.** {exc.file_name}: {len(exc.problems)} value(s) in this {exc.format_label} "
                     "cannot be read. Fix them in the file (or export it again) and upload it again.",
                     icon=":material/block:")
            st.dataframe(pd.DataFrame([{"where": p.row, "column": p.column, "value": p.value, "expected": p.expected}
                                       for p in exc.problems]), hide_index=True, width="stretch")
            continue
        except NeedsInputError as exc:
            st.warning(f"{exc} — fill in *{exc.field}* under “For files that do not say it themselves”.",
                       icon=":material/edit_note:")
            continue
        except BenchmarkError as exc:
            st.error(str(exc), icon=":material/block:")
            continue
        links = _show_plan(index, name, plan)
        if links is None:
            continue
        go, stop = st.columns([1, 5])
        if go.button("Import", key=f"upload.confirm.{index}", type="primary"):
            try:
                with st.spinner(f"Writing {plan.row_count:,} rows in one transaction…"):
                    result = imports.commit_import(store, plan, created_by=run_options.created_by, links=links)
            except BenchmarkError as exc:
                st.error(str(exc))
            else:
                st.session_state[DONE] = [*st.session_state.get(DONE, []), result.message]
                st.session_state[FILES] = [f for f in pending if f[0] != name or f[1] != content]
                # A new drop zone: the old one would hand the imported file back on the rerun;
                # the files still waiting stay in FILES.
                st.session_state["upload.generation"] = generation + 1
                st.rerun()
        if stop.button("Cancel", key=f"upload.cancel.{index}"):
            st.session_state[FILES] = [f for f in pending if f[0] != name or f[1] != content]
            st.session_state["upload.generation"] = generation + 1  # empties the drop zone
            st.rerun()

unlinked = accounts.list_accounts(store, unlinked_only=True)
if len(unlinked):
    st.header("Pages not linked to an organisation", divider="gray")
    st.caption("Their figures are stored but shown nowhere until the page is linked; link each once.")
    page_labels = {r.account_id: f"{r.name} ({PLATFORMS[r.platform]}, {r.stored_values:,} values)"
                   for r in unlinked.itertuples()}
    l1, l2, l3 = st.columns([3, 3, 1])
    page_id = l1.selectbox("Page", list(page_labels), format_func=page_labels.get, key="upload.unlinked_page")
    target = l2.selectbox("Organisation", options["organisation_id"].tolist(), format_func=labels.get,
                          index=None, placeholder="type to search", key="upload.unlinked_org")
    if l3.button("Link", key="upload.link", disabled=target is None):
        try:
            linked = accounts.link_account(store, int(page_id), int(target))
        except BenchmarkError as exc:
            st.error(str(exc))
        else:
            st.session_state[DONE] = [f"Linked {linked.describe()} to {labels[target]}."]
            st.rerun()

st.header("Import history", divider="gray")
history = imports.import_history(store, uploads_only=True, limit=500)
if history.empty:
    st.info("No uploads yet.")
else:
    st.dataframe(
        history[["import_id", "created_at", "created_by", "file_name", "format", "platform", "row_count", "status",
                 "undone_at", "undone_by"]],
        hide_index=True, width="stretch", height=ui.table_height(len(history), 15),
        column_config={"import_id": st.column_config.NumberColumn("import", format="%d"),
                       "created_at": st.column_config.DatetimeColumn("when (UTC)", format="YYYY-MM-DD HH:mm"),
                       "row_count": st.column_config.NumberColumn("rows")},
    )
    committed = history[history["status"] == "committed"]
    if len(committed):
        names = dict(zip(committed["import_id"], committed["file_name"], strict=True))
        u1, u2, u3 = st.columns([3, 2, 2])
        chosen = u1.selectbox("Import", committed["import_id"].tolist(), key="upload.undo_id",
                              format_func=lambda i: f"{i}: {names[i]}")
        sure = u2.checkbox("Yes, undo it", key="upload.undo_sure",
                           help="Removes this import's values and puts back the values it replaced.")
        if u3.button("Undo import", key="upload.undo", disabled=not sure):
            try:
                st.session_state[DONE] = [imports.undo_import(store, int(chosen), undone_by="dashboard")]
            except BenchmarkError as exc:
                st.error(str(exc))
            else:
                st.session_state.pop("upload.undo_sure", None)
                st.rerun()
        file_name, raw = imports.stored_file(store, int(chosen))
        u3.download_button("Original file", raw, file_name, key="upload.raw")
