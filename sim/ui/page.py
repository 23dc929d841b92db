"""The Solara page for officials: levers, months, the street map, charts with seed bands, the
comparison of two scenarios with verdicts, the brief and the exports.

Each browser has its own ``Session`` (``session_for`` by the session cookie, so a reload finds the
run again); stepping one page never touches another. Play runs in a thread (``solara.use_thread``
without the line tracer, which doubles the server's CPU per step). The page's structure never
changes with the run's state — messages, progress and the horizon fill slots that are always
there — so no component is remounted and no setting is lost mid-run. The line charts are uPlot
and the map SVG (``sim.ui.widgets``); each month's option reaches its widget as one JSON string
built at render (``Live``).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable

import reacton.ipyvuetify as rv
import solara
from ipyvuetify.extra import FileInput
from solara.server import kernel_context

from sim import config as cfg
from sim.colours import zone_colour
from sim.errors import InputError
from sim.params import STREETS, specs
from sim.policies import GROUPS, LEVERS
from sim.ui import charts, maps
from sim.ui.i18n import (
    area_name,
    choice,
    field_label,
    glossary,
    group,
    lever_tip,
    metric_name,
    number,
    panel_word,
    scenario_title,
    t,
    unit_suffix,
    verdict_colour,
    verdict_word,
)
from sim.ui.session import SEEDS, UPLOAD_LIMIT, Session, session_for
from sim.ui.widgets import LineCharts, StreetMap, json_text

MAP_METRICS = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "rent_index",
               "students_per_teacher_primary", "residents", "jobs")
ZONE_PANELS = ("jobs_housing_ratio", "self_containment")  # district and zones, one panel each
LINE_PANELS = ("mean_commute_min", "excess_commuting", "approval_days_12m", "unemployment_rate", "satisfaction")
HEADLINE = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting", "approval_days_12m",
            "students_per_teacher_primary", "unemployment_rate", "satisfaction")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_CODES = {name: code for code, name in LANGUAGE_NAMES.items()}
PAGE_CSS = """
.page { width: 100%; flex-wrap: nowrap !important; }
.levers { width: 300px; min-width: 260px; flex: 0 0 300px; max-height: 100vh; overflow-y: auto; position: sticky;
          top: 0; padding: 8px; background: #fafafa; border-right: 1px solid #ddd; }
.main { flex: 1 1 auto; min-width: 0; padding: 4px 8px; }
.cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; margin: 4px 0; }
@media (min-width: 1800px) { .cards { grid-template-columns: repeat(8, minmax(0, 1fr)); } }
.card { background: #fff; box-shadow: 0 1px 3px #bbb; border-radius: 4px; padding: 4px 8px; min-width: 0;
        border-top: 4px solid #d0d7de; }
.kpi-label { font-size: 0.8em; color: #555; }
.kpi { font-size: 1.15em; font-weight: bold; white-space: nowrap; }
.kpi-ci { font-size: 0.75em; color: #666; white-space: nowrap; }
.kpi-diff { font-size: 0.78em; }  /* (wraps before the interval on narrow cards: nothing is cut) */
.nowrap { white-space: nowrap; }
.kpi-verdict { font-size: 0.8em; font-weight: bold; min-height: 1.2em; }
.legend-line { font-size: 0.8em; color: #555; }
.legend-line span { margin-right: 10px; white-space: nowrap; }
.marks { position: relative; height: 18px; margin: -6px 8px 4px 8px; font-size: 0.7em; }
.marks span { position: absolute; transform: translateX(-50%); color: #8250df; cursor: default;
               white-space: nowrap; }
/* The time slider moves every month: Vuetify's 0.3 s glide of its track and thumb (width and left,
   which the compositor cannot take) redrew the page ~18 times a month, ~15 ms of the browser's. */
.time-slider .v-slider *, .speed .v-slider * { transition: none !important; }
.diff-table { border-collapse: collapse; font-size: 0.85em; width: 100%; }
.diff-table td, .diff-table th { border-bottom: 1px solid #eee; padding: 2px 6px; text-align: right;
                                 white-space: nowrap; }
.diff-table td:nth-child(-n+2), .diff-table th:nth-child(-n+2) { text-align: left; }
.table-scroll { overflow-x: auto; max-width: 100%; }
.glossary td { vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #eee; font-size: 0.85em; }
.life-events { border-collapse: collapse; font-size: 0.85em; }
.life-events td, .life-events th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; }
.v-file-input .v-file-input__text { display: none; }
.v-file-input { min-width: 230px; }
.levers .v-btn { height: auto !important; min-height: 36px; padding-top: 6px !important;
               padding-bottom: 6px !important; }
.levers .v-btn__content { white-space: normal; text-align: left; flex: 1 1 auto; line-height: 1.3; }
"""


def in_this_context(fn: Callable[[], None]) -> Callable[[], None]:
    """``fn`` run in this page's kernel context from any thread: a pool's callback thread has no
    context of its own, so a state change made there would reach no page (or another one)."""
    context = kernel_context.get_current_context()

    def run() -> None:
        with context:
            fn()
    return run


@solara.component
def Page():
    """The page: language, the lever panel and the message slot here; the month lives in
    ``Simulation``, so playing redraws the simulation's part only (redrawing the lever panel's
    inputs every month would cost more than the month itself)."""
    browser = solara.get_session_id()
    session = solara.use_memo(lambda: session_for(browser), dependencies=[])
    lang, set_lang = solara.use_state(session.ui["lang"])
    message, set_message = solara.use_state(None)  # (kind, text) shown under the controls
    levers_version, set_levers_version = solara.use_state(0)  # bumped when the levers change

    def make_callbacks():  # once per session: a new closure each render would redraw the children
        def levers_changed():
            set_levers_version(lambda n: n + 1)

        def tell(kind_and_text):
            set_message(kind_and_text)

        return levers_changed, tell

    levers_changed, tell = solara.use_memo(make_callbacks, dependencies=[])

    def choose_language(name):
        session.ui["lang"] = LANGUAGE_CODES[name]
        set_lang(LANGUAGE_CODES[name])

    solara.Title(t("title", lang))
    solara.Style(PAGE_CSS)
    with solara.Row(classes=["page"], style={"align-items": "flex-start", "gap": "8px"}):
        with solara.Column(classes=["levers"]):
            LeverPanel(session, lang, levers_changed, tell, levers_version)
        with solara.Column(classes=["main"], gap="4px"):
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}):
                solara.HTML(tag="h2", unsafe_innerHTML=t("title", lang), style="margin: 0;")
                solara.ToggleButtonsSingle(value=LANGUAGE_NAMES[lang], values=list(LANGUAGE_NAMES.values()),
                                           on_value=choose_language, dense=True)
            Message(message, lang)
            Simulation(session, lang, levers_changed, tell, levers_version)


@solara.component
def Message(message, lang: str):
    """The one message slot (always present: a message appearing never shifts the components after it)."""
    with solara.Column(style={"min-height": "0px"}):
        if message:
            (solara.Error if message[0] == "error" else solara.Info)(message[1], dense=True)


@solara.component
def Simulation(session: Session, lang: str, levers_changed, tell, levers_version: int):
    """Controls, time, headline cards, map, charts, comparison and export: redrawn every month."""
    tick, set_tick = solara.use_state(0)  # bumped after each month or change of the run
    playing, set_playing = solara.use_state(False)
    ui = session.ui  # settings that outlive a reload: speed, map metric, chosen street
    redraw = solara.use_memo(lambda: in_this_context(lambda: set_tick(lambda n: n + 1)), dependencies=[])
    session.redraw = redraw  # what a job finishing in the pool calls (this page's, after a reload)

    def play(cancel: threading.Event):
        while playing and not cancel.is_set():
            started = time.perf_counter()
            if not session.step():
                set_playing(False)
                tell(("info", t("done", lang)))
                return
            redraw()
            cancel.wait(max(1.0 / ui["speed"] - (time.perf_counter() - started), 0.0))

    solara.use_thread(play, dependencies=[playing, ui["speed"], lang], intrusive_cancel=False)

    def step():
        set_playing(False)
        if not session.step():
            tell(("info", t("done", lang)))
        redraw()

    def reset():
        set_playing(False)
        try:
            session.reset()
            tell(None)
        except InputError as exc:
            tell(("error", exc.text(lang)))
        levers_changed()
        redraw()

    def set_speed(value):
        ui["speed"] = value
        redraw()

    month, shown = session.view_month, session.month
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "6px"}):
        solara.Button(t("pause", lang) if playing else t("play", lang), color="primary",
                      on_click=lambda: set_playing(not playing), disabled=session.finished)
        solara.Button(t("step", lang), on_click=step, disabled=session.finished)
        solara.Button(t("reset", lang), on_click=reset)
        with solara.Column(gap="0px", style={"width": "170px"}, classes=["speed"]):
            solara.Text(t("speed", lang, speed=ui["speed"]), style={"font-size": "0.8em"})
            solara.SliderInt("", value=ui["speed"], min=1, max=12, on_value=set_speed, thumb_label=False)
        solara.Text(t("month", lang, month=shown, date=session.date(shown)) + " · "
                    + t("horizon", lang, months=session.months), classes=["month-label"],
                    style={"font-size": "1.1em", "font-weight": "bold"})
    TimeSlider(session, lang, redraw, tick)
    solara.Text(t("scenario_now", lang, name=scenario_title(session.config.name, lang), seeds=SEEDS,
                  scale=session.config.run.scale), style={"color": "#555", "font-size": "0.85em"})
    Headline(session, lang, month, tick)
    with solara.ColumnsResponsive(default=12, large=[5, 7]):
        MapCard(session, lang, month, redraw, tick)
        with solara.Card(t("charts", lang), margin=0):
            solara.Text(t("band_note", lang, seeds=SEEDS), style={"font-size": "0.8em", "color": "#555"})
            Live(LineCharts, lambda: charts.indicator_panels(session, ZONE_PANELS, LINE_PANELS, lang), tick)
    ComparePanel(session, lang, redraw, tell, tick)
    with solara.ColumnsResponsive(default=12, large=[6, 6]):
        ExportPanel(session, lang, levers_version, tick)
        Glossary(session, lang)
    LifeLine(session, lang, tick)


@solara.component
def Live(widget, option, version: int, **args):
    """A figure (``sim.ui.widgets``) with its option built by ``option()`` at each render, as one
    JSON string: reacton compares a string at once, where it walked every list and dict of an
    option given as a dict (the charts' data points, thousands of visits a month). ``version`` (the
    page's tick) makes it render again: reacton takes two closures of the same code over the same
    objects as equal. The option goes out with the rest of the month's changes, not after them,
    so the browser draws the month in fewer frames."""
    return widget.element(option=json_text(option()), **args)


@solara.component
def TimeSlider(session: Session, lang: str, redraw, version: int):
    """Any past month for the map and the numbers, with a mark where each lever starts."""
    shown = session.month

    def look(value):
        session.look_at(value)
        redraw()

    with solara.Column(gap="0px"):
        with solara.Row(style={"align-items": "center", "gap": "8px"}):
            solara.Text(t("view_month", lang, date=session.date(session.view_month)) if session.viewed
                        else t("view_latest", lang), style={"font-size": "0.85em", "min-width": "150px"})
            with solara.Column(style={"flex": "1"}, classes=["time-slider"]):
                # ipyvuetify's slider itself: solara.SliderInt keeps its value in a reactive variable,
                # which changed with every month shown and cost a second pass over the whole page
                rv.Slider(v_model=session.view_month or 0, on_v_model=lambda value: look(int(value)), min=0,
                          max=session.months, step=1, thumb_label=False, hide_details=True, disabled=shown == 0)
            solara.Button(t("latest", lang), on_click=lambda: look(None), text=True, disabled=session.viewed is None,
                          style={"text-transform": "none"})
        marks = "".join(
            f"<span style='left:{100 * m / session.months:.2f}%' title='{html.escape(names)}'>▲{m}</span>"
            for m, names in charts.lever_starts(session.config, lang).items())
        solara.HTML(tag="div", unsafe_innerHTML=marks, classes=["marks"])


@solara.component
def Headline(session: Session, lang: str, month: int, version: int):
    """The month's headline numbers: the seeds' mean and 95% interval, and against the reference
    the paired difference with its interval and verdict. One HTML block (a component per number
    would cost a redraw each month)."""
    solara.HTML(tag="div", unsafe_innerHTML=charts.headline_cards(session, HEADLINE, month, lang), classes=["cards"])
    legend = "".join(f"<span><b style='color:{verdict_colour(v)}'>■</b> {verdict_word(v, lang)}</span>"
                     for v in ("better", "same", "worse"))
    solara.HTML(tag="div", unsafe_innerHTML=t("verdict_legend", lang, seeds=SEEDS) + " " + legend,
                classes=["legend-line"])


@solara.component
def MapCard(session: Session, lang: str, month: int, redraw, version: int):
    """The streets coloured by a metric in the month looked at; a click on a street shows its trends."""
    ui = session.ui
    district = session.district

    def choose(label):
        ui["map_metric"] = next(m for m in MAP_METRICS if metric_name(m, lang) == label)
        redraw()

    def clicked(name):
        if name in district.street_names:  # (the map's streets are named in Chinese in both languages)
            ui["street"] = name
            redraw()

    def close():
        ui["street"] = None
        redraw()

    with solara.Card(t("map", lang), margin=0):
        solara.Select(t("map_metric", lang), values=[metric_name(m, lang) for m in MAP_METRICS],
                      value=metric_name(ui["map_metric"], lang), on_value=choose, dense=True)
        shape = solara.use_memo(lambda: json_text(maps.shape(district, lang)), dependencies=[district, lang])
        Live(StreetMap, lambda: charts.street_map(session, ui["map_metric"], month, lang), version, shape=shape,
             on_click=clicked)
        ZoneLegend(district, lang)
        solara.Text(t("map_click", lang), style={"font-size": "0.8em", "color": "#555"})
        if ui["street"] is not None:
            with solara.Row(style={"align-items": "center", "gap": "8px"}):
                solara.Text(t("street_chosen", lang, street=area_name(district, ui["street"], lang)),
                            classes=["street-chosen"], style={"font-weight": "bold"})
                solara.Button(t("close", lang), text=True, on_click=close, style={"text-transform": "none"})
            Live(LineCharts, lambda: charts.street_trends(session, ui["street"], lang), version)


@solara.component
def ZoneLegend(district, lang: str):
    with solara.Row(style={"flex-wrap": "wrap", "font-size": "0.8em", "gap": "8px"}):
        solara.Text(t("zones", lang) + ":")
        for z, zone in enumerate(district.zones):
            solara.HTML(tag="span", unsafe_innerHTML=f"<b style='color:{zone_colour(z)}'>▬</b> "
                                                     f"{html.escape(zone.name if lang == 'zh' else zone.name_en)}")


@solara.component
def ComparePanel(session: Session, lang: str, redraw, tell, version: int):
    """Scenario A (the reference: a preset, the current levers or a file) against B (the current
    levers): A runs on the same seeds to the horizon at once; "run to the horizon and compare"
    runs B too and shows the difference table; then each lever's contribution on request."""
    presets = list(cfg.builtin_scenarios())
    titles = [scenario_title(p, lang) for p in presets]

    def guarded(action):
        def run():
            try:
                action()
                tell(None)
            except InputError as exc:
                tell(("error", exc.text(lang)))
            redraw()
        return run

    def choose(title):
        guarded(lambda: session.set_reference(cfg.resolve(presets[titles.index(title)])))()

    with solara.Card(t("compare", lang), margin=0, style={"margin-top": "8px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "8px"}):
            with solara.Column(style={"min-width": "260px", "flex": "1"}):
                chosen = session.reference.config.name if session.reference else None
                solara.Select(t("reference_preset", lang), values=titles, dense=True,
                              value=scenario_title(chosen, lang) if chosen in presets else None, on_value=choose)
            solara.Button(t("pin", lang), on_click=guarded(lambda: session.set_reference(session.config)))
            ReferenceUpload(session, lang, redraw, tell)
            solara.Button(t("unpin", lang), on_click=guarded(session.clear_reference), text=True,
                          disabled=session.reference is None and session.reference_job is None)
        JobStatus(session.reference_job, "reference_running", lang)
        if session.reference is not None:
            solara.Text(t("reference_is", lang, name=scenario_title(session.reference.config.name, lang),
                          seeds=SEEDS, months=session.months), style={"font-size": "0.9em"})
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap", "gap": "8px"}):
            solara.Button(t("run_compare", lang), color="primary", on_click=guarded(session.compare),
                          disabled=session.reference is None or session.comparison_job is not None)
            solara.Button(t("run_contributions", lang),
                          on_click=guarded(session.contribute),
                          disabled=session.comparison is None or session.contributions_job is not None)
            BriefButton(session, lang, version)
        JobStatus(session.comparison_job, "compare_running", lang)
        JobStatus(session.contributions_job, "contributions_running", lang)
        if session.comparison is not None:
            solara.HTML(tag="div", unsafe_innerHTML=charts.difference_tables(session, lang), classes=["table-scroll"])


@solara.component
def JobStatus(job, key: str, lang: str):
    """A job's progress, or its error (a job goes on in the pool through a reload: the session keeps it)."""
    if job is None:
        return
    if job.error:
        solara.Error(t("job_lost", lang) if job.lost else t("job_failed", lang, error=job.error), dense=True)
        return
    solara.ProgressLinear(value=100 * job.progress(), color="primary")
    solara.Text(t(key, lang, done=round(100 * job.progress())), classes=["job-running"],
                style={"font-size": "0.85em", "color": "#555"})


@solara.component
def BriefButton(session: Session, lang: str, version: int):
    """The comparison's brief as a PDF (``chancheng brief``), built when downloaded."""
    if session.comparison is None:
        solara.Button(t("brief", lang), disabled=True)
        return
    solara.FileDownload(lambda: session.brief(lang), filename=f"brief_{session.comparison['b'].config.name}.pdf",
                        label=t("brief", lang), mime_type="application/pdf")


@solara.component
def ExportPanel(session: Session, lang: str, levers_version: int, version: int):
    """The data (the comparison when one is done, else the live run; built when downloaded) and the
    lever settings."""
    def settings():
        try:
            return session.scenario_toml(), None
        except InputError as exc:
            return None, exc.text(lang)

    toml_text, problem = solara.use_memo(settings, dependencies=[levers_version, lang])  # not each month
    with solara.Card(t("export", lang), margin=0, style={"margin-top": "8px"}):
        what = "download_comparison" if session.comparison is not None else "download_csv"
        name = (f"chancheng_{session.comparison['b'].config.name}_vs_{session.comparison['a'].config.name}.zip"
                if session.comparison is not None else f"chancheng_{session.config.name}.zip")
        solara.FileDownload(lambda: session.export_zip(lang), filename=name, label=t(what, lang))
        if lang == "zh":
            solara.Text(t("headers_note", lang), style={"font-size": "0.8em", "color": "#555"})
        if toml_text is not None:
            solara.FileDownload(toml_text, filename=f"{session.draft.get('name', 'scenario')}.toml",
                                label=t("download_toml", lang))
        else:
            solara.Error(t("upload_error", lang, error=problem))


@solara.component
def Glossary(session: Session, lang: str):
    """Every number the page shows: its definition, unit, balanced band or target and better direction."""
    opened, set_opened = solara.use_state(False)
    with solara.Card(margin=0, style={"margin-top": "8px"}):
        solara.Button(("▾ " if opened else "▸ ") + t("glossary", lang), text=True, classes=["glossary-toggle"],
                      on_click=lambda: set_opened(not opened), style={"text-transform": "none"})
        if opened:
            levels = ("primary", "junior", "senior")
            standards = dict(zip((f"students_per_teacher_{level}" for level in levels),
                                 session.district.public.standards(), strict=True))
            solara.HTML(tag="table", classes=["glossary"], unsafe_innerHTML=glossary(
                (*HEADLINE, "students_per_teacher_junior", "residents", "jobs", "rent_index"), lang, standards))


@solara.component
def LifeLine(session: Session, lang: str, version: int):
    """One sampled resident's life so far (the person panel of the first seed, persons.csv): where
    they live and work, their commute and satisfaction month by month, and what happened to them.
    Closed, it holds nothing to redraw."""
    opened, set_opened = solara.use_state(False)
    pick, set_pick = solara.use_state(0)
    with solara.Card(margin=0, style={"margin-top": "8px"}):
        solara.Button(("▾ " if opened else "▸ ") + t("life_line", lang), text=True, classes=["life-toggle"],
                      on_click=lambda: set_opened(not opened), style={"text-transform": "none"})
        if not opened:
            return
        people = session.panel_people()
        if not people:
            solara.Text(t("life_empty", lang))
            return
        person = people[pick % len(people)]
        line = session.person_line(person)
        now = line.iloc[-1]
        district = session.district
        home = area_name(district, now["sub_area"], lang)
        job = (t("life_job", lang, place=area_name(district, now["workplace"], lang), minutes=now["commute_min"])
               if now["employer"] != -1 else t("life_no_job", lang))
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(t("life_intro", lang, person=person, entry=panel_word(now["entry"], lang),
                          age=panel_word(now["age_band"], lang), home=home, job=job), classes=["life-intro"])
            solara.Button(t("another_person", lang), on_click=lambda: set_pick(pick + 1))
        solara.Text(t("life_note", lang, scale=session.config.run.scale), style={"color": "#666",
                                                                                 "font-size": "0.85em"})
        Live(LineCharts, lambda: charts.life_chart(line, session, lang), version)
        events = line[line["events"] != ""]
        if not len(events):
            solara.Text(t("life_none", lang))
            return
        head = "".join(f"<th>{html.escape(t(k, lang))}</th>" for k in ("life_date", "life_event", "life_home",
                                                                        "life_work", "life_commute"))
        rows = "".join(
            f"<tr><td>{r.date}</td><td>{html.escape('、'.join(panel_word(e, lang) for e in r.events.split()))}</td>"
            f"<td>{html.escape(area_name(district, r.sub_area, lang))} · {html.escape(panel_word(r.tenure, lang))}</td>"
            f"<td>{html.escape(area_name(district, r.workplace, lang) or '–')}</td><td>{r.commute_min:.0f}</td></tr>"
            for r in events.itertuples())
        solara.HTML(tag="table", unsafe_innerHTML=f"<tr>{head}</tr>{rows}", classes=["life-events"])


@solara.component
def LeverPanel(session: Session, lang: str, redraw, set_message, version: int):
    presets = list(cfg.builtin_scenarios())
    titles = [scenario_title(p, lang) for p in presets]

    def choose_preset(title: str):
        session.load_preset(presets[titles.index(title)])
        redraw()

    name = session.draft.get("name")
    solara.Text(t("levers", lang), style={"font-size": "1.2em", "font-weight": "bold"})
    solara.Select(t("preset", lang), values=titles, value=scenario_title(name, lang) if name in presets else None,
                  on_value=choose_preset, dense=True)
    with solara.Column(style={"min-height": "0px"}):
        if session.pending:
            solara.Warning(t("pending", lang), dense=True)
    for name_zh in GROUPS:
        solara.Text(group(name_zh, lang), style={"font-weight": "bold", "margin-top": "8px"})
        for lever, cls in LEVERS.items():
            if cls.group == name_zh:
                LeverCard(session, lever, cls, lang, redraw, version)
    solara.Text(t("upload", lang), style={"margin-top": "12px", "font-size": "0.9em"})
    ScenarioUpload(session, lang, session.load_config, redraw, set_message,
                   "uploaded")


@solara.component
def ReferenceUpload(session: Session, lang: str, redraw, tell):
    """A scenario file as the reference (A)."""
    with solara.Row(style={"align-items": "center", "gap": "4px"}):
        solara.Text(t("reference_upload", lang), style={"font-size": "0.9em", "white-space": "nowrap"})
        ScenarioUpload(session, lang, session.set_reference, redraw, tell, "uploaded_reference")


@solara.component
def ScenarioUpload(session: Session, lang: str, use, redraw, set_message, done_key: str):
    """A scenario file from the browser. Its size is checked from what the browser reports, before
    any of its bytes is sent; its content is read (in a thread) only when small enough, then given
    to ``use``. Every problem is one line in the page's language; the session stays as it was."""
    info, set_info = solara.use_state(None)
    files, set_files = solara.use_state(None)
    element = FileInput.element(accept=".toml", multiple=False, show_progress=False, on_file_info=set_info,
                                dense=True, hide_details=True)  # (its template shows no label: the caller's text does)

    def wire():  # (as solara's FileDrop does: a new version for the chunks of the chosen file)
        if info:
            widget = solara.get_widget(element)
            widget.version += 1
            widget.reset_stats()
            set_files(widget.get_files())

    solara.use_effect(wire, [info])

    def read(cancel):
        if not files:
            return
        name, size = files[0]["name"], files[0]["size"]
        try:
            Session.check_upload_size(name, size)
            config = Session.read_upload(name, files[0]["file_obj"].read(UPLOAD_LIMIT + 1))
            use(config)
        except InputError as exc:
            set_message(("error", t("upload_error", lang, error=exc.text(lang))))
            return
        except Exception as exc:  # (whatever else a file can do: one line, never a traceback with server paths)
            set_message(("error", t("upload_failed", lang, name=name, kind=type(exc).__name__)))
            return
        set_message(("info", t(done_key, lang, name=config.name)))
        redraw()

    solara.use_thread(read, dependencies=[files], intrusive_cancel=False)


@solara.component
def LeverCard(session: Session, name: str, cls, lang: str, redraw, version: int):
    """A lever family: its name, and — only while opened — its mechanism and its fields (closed
    cards hold no widgets, so the page has few elements to walk each month)."""
    opened, set_opened = solara.use_state(False)
    values = session.draft["levers"][name]
    title = cls.label if lang == "zh" else cls.label_en
    with solara.Card(margin=0, style={"margin-bottom": "4px", "padding": "0px 6px"}):
        solara.Button(("▾ " if opened else "▸ ") + title, text=True, on_click=lambda: set_opened(not opened),
                      style={"justify-content": "flex-start", "width": "100%", "text-transform": "none"})
        if opened:
            solara.Text(f"{t('mechanism', lang)}: " + (cls.mechanism_zh if lang == "zh" else cls.mechanism),
                        style={"font-size": "0.85em", "color": "#555"})
            for field, kind, spec, default in specs(cls):
                FieldInput(session, name, field, kind, spec, default, values[field], lang, redraw)


@solara.component
def FieldInput(session: Session, lever: str, field: str, kind: str, spec, default, value, lang: str, redraw):
    label = field_label(lever, field, spec.doc, lang) + unit_suffix(spec.unit, kind, lang)
    tip = lever_tip(spec, default, kind, lang)

    def set_value(new):
        session.set_value(lever, field, new)
        redraw()

    with solara.Tooltip(tip), solara.Column(gap="0px", style={"margin-bottom": "6px"}):
        if kind == "bool":
            solara.Checkbox(label=label, value=bool(value), on_value=set_value)
        elif kind == STREETS:
            if spec.choices:
                shown, codes = [choice(c, lang) for c in spec.choices], list(spec.choices)
            else:
                district = session.district
                shown = list(district.street_names if lang == "zh" else district.street_pinyin)
                codes = list(district.street_names)
            solara.SelectMultiple(label, values=[shown[codes.index(v)] for v in value], all_values=shown,
                                  on_value=lambda chosen: set_value([codes[shown.index(c)] for c in chosen]))
        elif kind == "str":
            names = [choice(c, lang) for c in spec.choices]
            solara.Select(label, values=names, value=choice(value, lang),
                          on_value=lambda c: set_value(spec.choices[names.index(c)]))
        else:
            solara.Text(f"{label}: {number(value, spec.unit)}", style={"font-size": "0.85em"})
            if kind == "int" and spec.hi - spec.lo <= 600:
                solara.SliderInt("", value=int(value), min=int(spec.lo), max=int(spec.hi), on_value=set_value,
                                 tick_labels="end_points")
            elif kind == "float" and spec.hi - spec.lo <= 3:
                solara.SliderFloat("", value=float(value), min=spec.lo, max=spec.hi, step=0.01,
                                   on_value=set_value, tick_labels="end_points")
            else:
                (solara.InputInt if kind == "int" else solara.InputFloat)(
                    t("range", lang, lo=number(spec.lo, spec.unit), hi=number(spec.hi, spec.unit)),
                    value=int(value) if kind == "int" else float(value),
                    on_value=lambda v: set_value(clamp(v, spec)))


def clamp(value, spec):
    """Keep a typed number inside its allowed range (the page never holds an invalid number)."""
    if value is None:
        return spec.lo
    return min(max(value, spec.lo), spec.hi)

