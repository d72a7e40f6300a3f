"""Upload: analysts drop platform exports, check the preview, link pages, confirm; history with undo."""

import hashlib

import pandas as pd
import streamlit as st

from benchmark import accounts, i18n, imports, ui, ui_auth, ui_links
from benchmark.errors import BenchmarkError
from benchmark.importers.formats.template import template_csv, template_xlsx
from benchmark.importers.model import ImportRejected, NeedsInputError
from benchmark.metrics import MEASURES_BY_ID
from benchmark.periods import parse_period
from benchmark.vocabulary import PLATFORMS

FILES = "upload.files"  # [(name, bytes)] waiting for a decision; AppTest sets it directly
DONE = "upload.done"  # messages of the last imports, shown after the rerun

# The form field below that gives what a file does not say.
FIELD = {"platform": "column.platform", "organisation": "column.organisation", "account": "upload.page_name",
         "period": "upload.period"}

t = ui.translator()
lang = ui.current_language()
count = ui.number_format()
st.title(t("upload.title"))
st.caption(t("upload.caption"))
store = ui.get_store()
actor = ui_auth.require(store, "import")  # the page is in the menu for analysts only; a forged address stops here

left, right = st.columns([3, 2])
with right.expander(t("upload.template"), icon=":material/table:"):
    st.write(t("upload.template_text"))
    a, b = st.columns(2)
    a.download_button("CSV", template_csv(), "benchmark-template.csv", "text/csv", key="upload.template_csv")
    b.download_button("Excel", template_xlsx(), "benchmark-template.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="upload.template_xlsx")

generation = st.session_state.setdefault("upload.generation", 0)
dropped = left.file_uploader(
    t("upload.files"), accept_multiple_files=True, key=f"upload.files.{generation}", help=t("upload.files_help"),
)
if dropped:
    st.session_state[FILES] = [(f.name, f.getvalue()) for f in dropped]

with st.expander(t("upload.file_details"), expanded=False, icon=":material/edit_note:"):
    st.caption(t("upload.file_details_caption"))
    c1, c2, c3, c4 = st.columns(4)
    platform_name = ui.labeller("platform")
    platform = c1.selectbox(t("column.platform"), [None, *PLATFORMS],
                            format_func=lambda p: t("upload.from_the_file") if p is None else platform_name(p),
                            key="upload.platform")
    options = ui.cached_organisation_options(store, store.data_version())
    labels = ui.organisation_labels(store)
    organisation_id = c2.selectbox(t("column.organisation"), [None, *options["organisation_id"].tolist()],
                                   format_func=lambda i: "—" if i is None else labels[i], key="upload.organisation",
                                   help=t("upload.organisation_help"))
    account = c3.text_input(t("upload.page_name"), key="upload.account", placeholder=t("upload.page_name_placeholder"))
    period_text = c4.text_input(t("upload.period"), key="upload.period", placeholder=t("upload.period_placeholder"))

for message in st.session_state.pop(DONE, []):
    st.success(message, icon=":material/check_circle:")


def _options() -> imports.ImportOptions | None:
    period = None
    if period_text.strip():
        try:
            period = parse_period(period_text)
        except BenchmarkError as exc:
            st.error(i18n.error_text(exc, lang))
            return None
    return imports.ImportOptions(platform=platform, organisation_id=organisation_id, account=account.strip() or None,
                                 period=period)


def _show_plan(index: int, name: str, plan: imports.ImportPlan) -> dict[int, int | None] | None:
    """The preview; returns the links chosen for unlinked pages, or None when there is nothing to import."""
    if plan.duplicate_of is not None:
        st.info(t("upload.duplicate", file=plan.file_name, import_id=plan.duplicate_of), icon=":material/content_copy:")
        return None
    days = i18n.format_date_range(plan.first_day, plan.last_day, lang) if plan.first_day else "–"
    st.write(t("upload.plan_line", format=i18n.localise(plan.format_label, lang), days=days, rows=count(plan.row_count)))
    links: dict[int, int | None] = {}
    ids = options["organisation_id"].tolist()
    unlinked = [a for a in plan.accounts if a.organisation_id is None]
    everyone = None
    if len(unlinked) > 1:  # one organisation often runs several pages: link them in one go
        everyone = st.selectbox(
            t("upload.link_all", count=count(len(unlinked))), [None, *ids],
            format_func=lambda i: t("upload.choose_per_page") if i is None else labels[i],
            key=f"upload.link_all.{index}", help=t("upload.link_all_help"),
        )
    for position, acct in enumerate(plan.accounts):
        page = t("upload.page_on_platform", page=acct.name + (f" ({acct.platform_account_id})" if acct.platform_account_id else ""),
                 platform=ui.platform_label(acct.platform))
        if acct.organisation_id is not None:
            st.write(f":material/link: {page} → **{acct.organisation_name}** ({i18n.localise(acct.how, lang)})")
            continue
        if everyone is not None:
            links[position] = everyone
            continue
        suggested = [i for i in ids if labels[i].split(" (")[0] in acct.suggestions]
        links[position] = st.selectbox(
            t("upload.not_linked", page=page), [None, *suggested, *[i for i in ids if i not in suggested]],
            format_func=lambda i: t("upload.leave_unlinked") if i is None else labels[i],
            key=f"upload.link.{index}.{position}", help=t("upload.not_linked_help"),
        )
    for note in plan.parsed.notes:
        st.caption(f":material/info: {i18n.localise(note, lang)}")
    if plan.parsed.ignored_columns:
        st.caption(t("upload.ignored_columns", columns=", ".join(plan.parsed.ignored_columns[:15])
                     + (" …" if len(plan.parsed.ignored_columns) > 15 else "")))
    changes = plan.changes
    new, same, changed = (int(changes[column].sum()) if len(changes) else 0 for column in ("new", "same", "changed"))
    st.write(t("upload.changes_line", new=count(new), same=count(same), changed=count(changed)))
    st.dataframe(
        ui.formatted(changes.astype({"stored": "Int64", "incoming": "Int64"}), {
            "measure": lambda m: t(f"measure.{m}.label") if m in MEASURES_BY_ID else m,
            **{column: count for column in ("new", "same", "changed", "stored", "incoming")},
        }),
        hide_index=True, width="stretch", height=ui.table_height(len(changes), 12),
        # No `format` on the number columns: the Styler of ui.formatted writes them in the page's language.
        column_config={"account": st.column_config.TextColumn(t("column.page")),
                       "measure": st.column_config.TextColumn(t("upload.column.measure")),
                       "period": st.column_config.TextColumn(t("column.period")),
                       "new": st.column_config.NumberColumn(t("upload.column.new")),
                       "same": st.column_config.NumberColumn(t("upload.column.same")),
                       "changed": st.column_config.NumberColumn(t("upload.column.changed")),
                       "stored": st.column_config.NumberColumn(t("upload.column.stored")),
                       "incoming": st.column_config.NumberColumn(t("upload.column.incoming"))})
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
                            f":material/hourglass_top: {n}: {i18n.localise(step, lang)}…"))
            finally:
                progress_line.empty()
            st.session_state[f"upload.plan.{key}"] = plan
        except ImportRejected as exc:
            st.error(t("upload.rejected", file=exc.file_name, count=count(exc.total), format=i18n.localise(exc.format_label, lang)),
                     icon=":material/block:")
            problems = pd.DataFrame([{"where": i18n.localise(p.row, lang), "column": p.column, "value": p.value,
                                      "expected": i18n.localise(p.expected, lang)} for p in exc.problems])
            headers = {"where": t("upload.column.where"), "column": t("upload.column.column"),
                       "value": t("column.value"), "expected": t("upload.column.expected")}
            st.dataframe(problems, hide_index=True, width="stretch", column_config=headers)
            ui_links.table_downloads(problems.astype(str), headers, exc.file_name, key=f"upload.problems.{key[:16]}",
                                     file_stem=f"{exc.file_name}-problems")
            continue
        except NeedsInputError as exc:
            st.warning(t("upload.needs_input", message=i18n.error_text(exc, lang),
                         field=t(FIELD[exc.field]) if exc.field in FIELD else exc.field,
                         section=t("upload.file_details")), icon=":material/edit_note:")
            continue
        except BenchmarkError as exc:
            st.error(i18n.error_text(exc, lang), icon=":material/block:")
            continue
        links = _show_plan(index, name, plan)
        if links is None:
            continue
        go, stop = st.columns([1, 5])
        if go.button(t("upload.import"), key=f"upload.confirm.{index}", type="primary"):
            try:
                with st.spinner(t("upload.writing", rows=count(plan.row_count))):
                    result = imports.commit_import(store, plan, actor=actor, links=links)
            except BenchmarkError as exc:
                st.error(i18n.error_text(exc, lang))
            else:
                if result.import_id is None:
                    done = t("upload.nothing_changed", file=result.file_name)
                elif result.replaced:
                    done = t("upload.imported_replacing", file=result.file_name, import_id=result.import_id,
                             rows=count(result.rows_written), replaced=count(result.replaced))
                else:
                    done = t("upload.imported", file=result.file_name, import_id=result.import_id,
                             rows=count(result.rows_written))
                st.session_state[DONE] = [*st.session_state.get(DONE, []), done]
                st.session_state[FILES] = [f for f in pending if f[0] != name or f[1] != content]
                # A new drop zone: the old one would hand the imported file back on the rerun;
                # the files still waiting stay in FILES.
                st.session_state["upload.generation"] = generation + 1
                st.rerun()
        if stop.button(t("upload.cancel"), key=f"upload.cancel.{index}"):
            st.session_state[FILES] = [f for f in pending if f[0] != name or f[1] != content]
            st.session_state["upload.generation"] = generation + 1  # empties the drop zone
            st.rerun()

unlinked = accounts.list_accounts(store, unlinked_only=True)
if len(unlinked):
    st.header(t("upload.unlinked"), divider="gray")
    st.caption(t("upload.unlinked_caption"))
    page_labels = {r.account_id: t("upload.unlinked_page", page=r.name, platform=ui.platform_label(r.platform),
                                   count=count(r.stored_values))
                   for r in unlinked.itertuples()}
    l1, l2, l3 = st.columns([3, 3, 1])
    page_id = l1.selectbox(t("column.page"), list(page_labels), format_func=page_labels.get, key="upload.unlinked_page")
    target = l2.selectbox(t("column.organisation"), options["organisation_id"].tolist(), format_func=labels.get,
                          index=None, placeholder=t("upload.type_to_search"), key="upload.unlinked_org")
    if l3.button(t("upload.link"), key="upload.link", disabled=target is None):
        try:
            linked = accounts.link_account(store, int(page_id), int(target), actor=actor)
        except BenchmarkError as exc:
            st.error(i18n.error_text(exc, lang))
        else:
            st.session_state[DONE] = [t("upload.linked", page=linked.describe(), organisation=labels[target])]
            st.rerun()

st.header(t("upload.history"), divider="gray")
history = imports.import_history(store, uploads_only=True, limit=500)
if history.empty:
    st.info(t("upload.no_uploads"))
else:
    moment = lambda value: "" if pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"
    st.dataframe(
        ui.formatted(history[["import_id", "created_at", "created_by", "file_name", "format", "platform", "row_count",
                              "status", "undone_at", "undone_by"]], {
            # Every column has a formatter: the Styler would otherwise show "None" and "NaT".
            "import_id": str, "created_at": moment, "undone_at": moment, "row_count": count,
            "created_by": lambda v: v or "", "undone_by": lambda v: v or "", "file_name": str, "format": str,
            "platform": lambda p: platform_name(p) if p in PLATFORMS else (p or ""),
            "status": lambda s: t("upload.status.committed") if s == "committed"
            else t("upload.status.undone") if s == "undone" else s,
        }),
        hide_index=True, width="stretch", height=ui.table_height(len(history), 15),
        # No `format` in the columns: the Styler above writes them (the dates too, in the same form).
        column_config={"import_id": st.column_config.NumberColumn(t("upload.column.import")),
                       "created_at": st.column_config.DatetimeColumn(t("upload.column.created_at")),
                       "created_by": st.column_config.TextColumn(t("upload.column.created_by")),
                       "file_name": st.column_config.TextColumn(t("upload.column.file_name")),
                       "format": st.column_config.TextColumn(t("upload.column.format")),
                       "platform": st.column_config.TextColumn(t("column.platform")),
                       "row_count": st.column_config.NumberColumn(t("upload.column.rows")),
                       "status": st.column_config.TextColumn(t("upload.column.status")),
                       "undone_at": st.column_config.DatetimeColumn(t("upload.column.undone_at")),
                       "undone_by": st.column_config.TextColumn(t("upload.column.undone_by"))},
    )
    shown = history.assign(
        created_at=history["created_at"].map(moment), undone_at=history["undone_at"].map(moment),
        created_by=history["created_by"].fillna(""), undone_by=history["undone_by"].fillna(""))
    headers = {"import_id": t("upload.column.import"), "created_at": t("upload.column.created_at"),
               "created_by": t("upload.column.created_by"), "file_name": t("upload.column.file_name"),
               "format": t("upload.column.format"), "platform": t("column.platform"), "row_count": t("upload.column.rows"),
               "status": t("upload.column.status"), "undone_at": t("upload.column.undone_at"),
               "undone_by": t("upload.column.undone_by")}
    ui_links.table_downloads(shown, headers, t("upload.history"), key="upload.history", file_stem="imports",
                             kinds={"import_id": "int", "row_count": "int"})
    committed = history[history["status"] == "committed"]
    if len(committed):
        names = dict(zip(committed["import_id"], committed["file_name"], strict=True))
        u1, u2, u3 = st.columns([3, 2, 2])
        chosen = u1.selectbox(t("upload.column.import"), committed["import_id"].tolist(), key="upload.undo_id",
                              format_func=lambda i: f"{i}: {names[i]}")
        sure = u2.checkbox(t("upload.undo_sure"), key="upload.undo_sure", help=t("upload.undo_help"))
        if u3.button(t("upload.undo"), key="upload.undo", disabled=not sure):
            try:
                imports.undo_import(store, int(chosen), actor=actor)
            except BenchmarkError as exc:
                st.error(i18n.error_text(exc, lang))
            else:
                st.session_state[DONE] = [t("upload.undone", import_id=chosen, file=names[chosen])]
                st.session_state.pop("upload.undo_sure", None)
                st.rerun()
        file_name, raw = imports.stored_file(store, int(chosen))
        u3.download_button(t("upload.original_file"), raw, file_name, key="upload.raw")
