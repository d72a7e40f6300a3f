"""Presentation mode: a saved deck shown one chart or table per screen, in large type, without controls."""

import streamlit as st

from benchmark import decks, i18n, ui, ui_auth, ui_links
from benchmark.errors import BenchmarkError
from benchmark.viewstate import parse_query

t = ui.translator()
lang = ui.current_language()
store = ui.get_store()
actor = ui_auth.current_actor(store)
editor = actor.may("save_deck")  # viewers present and download decks; analysts change them

link = parse_query({key: st.query_params.get(key) for key in st.query_params}, page="present").state
saved = decks.list_decks(store)
names = [name for name, _ in saved]

if link.deck and link.slide and link.deck in names:
    # Presenting: the slide in the URL, so a reload or a shared link lands on the same slide.
    deck = decks.get_deck(store, link.deck)
    position = min(link.slide, max(len(deck.slides), 1))
    ui_links.presentation_style()
    if not deck.slides:
        st.info(t("present.empty_deck"))
    else:
        ui_links.show_slide(store, deck.slides[position - 1], lang)
    previous, where, following, leave = st.columns([2, 1, 2, 2], vertical_alignment="center")
    if previous.button(t("present.previous"), icon=":material/arrow_back:", disabled=position <= 1, width="stretch",
                       key="present.previous"):
        st.query_params["slide"] = str(position - 1)
        st.rerun()
    where.markdown(f"**{t('present.position', position=position, count=len(deck.slides))}**")
    if following.button(t("present.next"), icon=":material/arrow_forward:", type="primary", width="stretch",
                        disabled=position >= len(deck.slides), key="present.next"):
        st.query_params["slide"] = str(position + 1)
        st.rerun()
    if leave.button(t("present.stop"), icon=":material/close:", width="stretch", key="present.stop"):
        del st.query_params["slide"]
        st.rerun()
    st.stop()

st.title(t("present.title"))
st.caption(t("present.caption"))
if not names:
    st.info(t("present.no_decks"))
    st.stop()

chosen = st.selectbox(t("present.deck"), names, index=names.index(link.deck) if link.deck in names else 0,
                      format_func=lambda n: f"{n} ({dict(saved)[n]})", key="present.deck")
st.query_params["deck"] = chosen
deck = decks.get_deck(store, chosen)
left, middle, right = st.columns(3)
if left.button(t("present.start"), icon=":material/slideshow:", type="primary", disabled=not deck.slides,
               width="stretch", key="present.start"):
    st.query_params["slide"] = "1"
    st.rerun()
ui_links.deck_download(store, deck, lang, middle)
if right.button(t("present.delete_deck"), icon=":material/delete:", width="stretch", key="present.delete",
                disabled=not editor):
    try:
        decks.delete_deck(store, deck.name, actor=actor)
    except BenchmarkError as exc:  # the role checked again by the service (e.g. taken away since the last click)
        st.error(i18n.error_text(exc, lang))
    else:
        del st.query_params["deck"]
        st.session_state.pop("present.deck", None)
        st.rerun()

st.subheader(t("present.slides"))
if not deck.slides:
    st.info(t("present.empty_deck"))
for position, slide in enumerate(deck.slides, start=1):
    with st.container(border=True):
        text, up, down, remove, open_view = st.columns([8, 1, 1, 1, 1], vertical_alignment="center")
        text.markdown(f"**{position}.** {ui_links.describe(store, slide.state, lang)}"
                      + (f"  \n*{slide.note}*" if slide.note else ""))
        if slide.problems:
            text.caption(t("present.unreadable_slide") + " " + "; ".join(slide.problems))
        moved = None
        if up.button("", icon=":material/arrow_upward:", help=t("present.up"), key=f"present.up.{position}",
                     disabled=position == 1 or not editor):
            moved = decks.move_slide, (position, -1)
        if down.button("", icon=":material/arrow_downward:", help=t("present.down"), key=f"present.down.{position}",
                       disabled=position == len(deck.slides) or not editor):
            moved = decks.move_slide, (position, 1)
        if remove.button("", icon=":material/delete:", help=t("present.remove"), key=f"present.remove.{position}",
                         disabled=not editor):
            moved = decks.remove_slide, (position,)
        open_view.link_button("", ui_links.link_to(slide.state), icon=":material/open_in_new:", help=t("present.open_view"))
        if moved:
            change, args = moved
            try:
                change(store, deck.name, *args, actor=actor)
            except BenchmarkError as exc:
                st.error(i18n.error_text(exc, lang))
            else:
                st.rerun()
