"""The Solara page for officials: levers, months, the street map, charts and the comparison.

Each browser session builds its own ``Session`` (``solara.use_memo``), so stepping one page never
touches another. Play runs in a thread (``solara.use_thread`` without the line tracer, which
doubles the server's CPU per step); the charts are ECharts, which keep a step on the page well
under half a second (docs/TOOLCHAIN.md).
"""

from __future__ import annotations

import html
import threading
import time

import numpy as np
import solara
from ipyvuetify.extra import FileInput
from solara.components.echarts import EchartsWidget

from sim import config as cfg
from sim.colours import zone_colour
from sim.errors import InputError
from sim.outcomes import label as metric
from sim.params import STREETS, specs
from sim.policies import GROUPS, LEVERS
from sim.ui import charts
from sim.ui.i18n import area_name, choice, field_label, group, panel_word, t, unit
from sim.ui.session import UPLOAD_LIMIT, Session

MAP_METRICS = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "rent_index",
               "students_per_teacher_primary")
MAP_NAME = "chenghua"
ZONE_PANELS = ("jobs_housing_ratio", "self_containment")  # district and zones, one panel each
LINE_PANELS = ("mean_commute_min", "excess_commuting", "approval_days_12m", "unemployment_rate")
CHART_PANELS = len(ZONE_PANELS) + len(LINE_PANELS) + 1  # and students per teacher
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_CODES = {name: code for code, name in LANGUAGE_NAMES.items()}
PAGE_CSS = """
.page { width: 100%; }
.levers { width: 360px; min-width: 300px; max-height: 100vh; overflow-y: auto; position: sticky; top: 0;
          padding: 8px; background: #fafafa; border-right: 1px solid #ddd; }
.main { flex: 1; min-width: 0; padding: 8px; }
.headline { border-spacing: 6px; }
.headline td { background: #fff; box-shadow: 0 1px 3px #bbb; padding: 4px 8px; min-width: 120px; }
.kpi-label { font-size: 0.8em; color: #666; }
.kpi { font-size: 1.1em; font-weight: bold; white-space: nowrap; }
.life-events { border-collapse: collapse; font-size: 0.85em; }
.life-events td, .life-events th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; }
"""


@solara.component
def Page():
    """The page: language, the lever panel and messages here; the month lives in ``Simulation``,
    so playing redraws the simulation's part only (redrawing the lever panel's sixty inputs every
    month would cost more than the month itself)."""
    session = solara.use_memo(Session, dependencies=[])
    lang, set_lang = solara.use_state("zh")
    message, set_message = solara.use_state(None)  # (kind, text) shown under the controls
    levers_version, set_levers_version = solara.use_state(0)  # bumped when the levers change

    def make_callbacks():  # once per session: a new closure each render would redraw the children
        def levers_changed():
            set_levers_version(lambda n: n + 1)

        def tell(kind_and_text):
            set_message(kind_and_text)

        return levers_changed, tell

    levers_changed, tell = solara.use_memo(make_callbacks, dependencies=[])

    solara.Title(t("title", lang))
    solara.Style(PAGE_CSS)
    with solara.Row(classes=["page"], style={"align-items": "flex-start", "gap": "12px"}):
        with solara.Column(classes=["levers"]):
            LeverPanel(session, lang, levers_changed, tell, levers_version)
        with solara.Column(classes=["main"]):
            solara.HTML(tag="h2", unsafe_innerHTML=t("title", lang), style="margin: 4px 0 0 0;")
            solara.Text(t("subtitle", lang), style={"color": "#666"})
            solara.ToggleButtonsSingle(value=LANGUAGE_NAMES[lang], values=list(LANGUAGE_NAMES.values()),
                                       on_value=lambda name: set_lang(LANGUAGE_CODES[name]))
            if message:
                (solara.Error if message[0] == "error" else solara.Info)(message[1])
            Simulation(session, lang, levers_changed, tell, levers_version)


@solara.component
def Simulation(session: Session, lang: str, levers_changed, tell, levers_version: int):
    """Controls, headline numbers, map, charts, comparison and export: redrawn every month."""
    geo = solara.use_memo(lambda: charts.geojson(session.model.district), dependencies=[])
    tick, set_tick = solara.use_state(0)  # bumped after each month
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state(4)
    map_metric, set_map_metric = solara.use_state(MAP_METRICS[0])
    redraw = solara.use_memo(lambda: (lambda: set_tick(lambda n: n + 1)), dependencies=[])

    def play(cancel: threading.Event):
        while playing and not cancel.is_set():
            started = time.perf_counter()
            if not session.step():
                set_playing(False)
                tell(("info", t("done", lang)))
                return
            redraw()
            cancel.wait(max(1.0 / speed - (time.perf_counter() - started), 0.0))

    solara.use_thread(play, dependencies=[playing, speed, lang], intrusive_cancel=False)

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

    frames = session.live_frames()
    reference = session.reference[1] if session.reference else None
    district = session.model.district
    months = session.config.run.months
    date = session.model.date.strftime("%Y-%m") if session.month else session.config.run.start

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(t("pause", lang) if playing else t("play", lang), color="primary",
                      on_click=lambda: set_playing(not playing), disabled=session.finished)
        solara.Button(t("step", lang), on_click=step, disabled=session.finished)
        solara.Button(t("reset", lang), on_click=reset)
        with solara.Column(gap="0px", style={"width": "220px"}):
            solara.Text(f"{t('speed', lang)}: {speed}", style={"font-size": "0.85em"})
            solara.SliderInt("", value=speed, min=1, max=12, on_value=set_speed)
        solara.Text(t("month", lang, month=session.month, date=date) + " · " + t("horizon", lang, months=months),
                    classes=["month-label"], style={"font-size": "1.2em", "font-weight": "bold"})
    solara.Text(t("scenario_now", lang, name=session.config.name) + " · "
                + t("scale_note", lang, scale=session.config.run.scale), style={"color": "#666"})
    if session.month == 0:
        solara.Info(t("nothing_yet", lang))
    Headline(frames, reference, lang)
    with solara.ColumnsResponsive(default=12, large=[5, 7]):
        with solara.Card(t("map", lang)):
            solara.Select(t("map_metric", lang), values=[metric(m, lang) for m in MAP_METRICS],
                          value=metric(map_metric, lang),
                          on_value=lambda label: set_map_metric(
                              next(m for m in MAP_METRICS if metric(m, lang) == label)))
            LiveEcharts(lambda: charts.map_chart(map_metric, frames["streets"], district, lang, MAP_NAME),
                        "height: 420px;", maps={MAP_NAME: geo})
            ZoneLegend(district, lang)
        with solara.Card(t("charts", lang)):
            ref_model = reference["model"] if reference else None

            def panels():
                out = [charts.zones_chart(name, frames["model"], frames["zones"], reference, district, lang,
                                          months) for name in ZONE_PANELS]
                out += [charts.metric_chart(name, frames["model"], ref_model, lang, months) for name in LINE_PANELS]
                out.append(charts.teachers_chart(frames["model"], ref_model, district, lang, months))
                return charts.combine(out)

            LiveEcharts(panels, f"height: {charts.combined_height(CHART_PANELS)}px;")
    with solara.ColumnsResponsive(default=12, large=[6, 6]):
        ComparePanel(session, lang, redraw, tick)
        ExportPanel(session, lang, levers_version)
    LifeLine(session, lang, tick)


@solara.component
def LiveEcharts(option, style: str, maps: dict | None = None):
    """An ECharts figure whose option (built by ``option()``) is set on its widget after each
    render instead of passed as an element argument: reacton walks every list and dict in an
    element's arguments on each render — the charts' data points, ~8,000 visits a month — while
    the widget itself only needs the new value."""
    element = EchartsWidget.element(option={}, maps=maps or {}, attributes={"style": style})

    def update():
        solara.get_widget(element).option = option()

    solara.use_effect(update)  # after every render: the option's data changes with each month
    return element


HEADLINE = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting", "approval_days_12m",
            "students_per_teacher_primary", "unemployment_rate", "satisfaction")


@solara.component
def Headline(frames, reference, lang: str):
    """The latest month's headline numbers, and their difference from the reference run's same
    month: one HTML table (a component per number would cost a redraw each month)."""
    model = frames["model"]
    if not len(model):
        return
    now = model.iloc[-1]
    then = None
    if reference is not None:
        same = reference["model"][reference["model"]["month"] == now["month"]]
        then = same.iloc[0] if len(same) else None
    cells = []
    for name in HEADLINE:
        value = now[name]
        text = "–" if value != value else f"{value:.3g}"
        if then is not None and value == value and then[name] == then[name]:
            # the difference to the value's own precision (three significant digits)
            decimals = max(0, 2 - int(np.floor(np.log10(max(abs(value), 1e-9)))))
            text += f" ({'+' if value >= then[name] else '−'}{abs(value - then[name]):.{decimals}f})"
        cells.append(f"<td><div class='kpi-label'>{html.escape(metric(name, lang))}</div>"
                     f"<div class='kpi kpi-{name}'>{text}</div></td>")
    solara.HTML(tag="table", unsafe_innerHTML="<tr>" + "".join(cells) + "</tr>", classes=["headline"])


@solara.component
def ZoneLegend(district, lang: str):
    with solara.Row(style={"flex-wrap": "wrap", "font-size": "0.85em"}):
        solara.Text(t("zones", lang) + ":")
        for z, zone in enumerate(district.zones):
            colour = zone_colour(z)
            solara.HTML(tag="span", unsafe_innerHTML=f"<b style='color:{colour}'>▬</b> "
                                                     f"{zone.name if lang == 'zh' else zone.name_en}")


@solara.component
def ComparePanel(session: Session, lang: str, redraw, version: int):
    def pin():
        session.pin()
        redraw()

    def unpin():
        session.unpin()
        redraw()

    with solara.Card(t("compare", lang)):
        if session.reference:
            name, frames = session.reference
            solara.Text(t("pinned", lang, name=name, months=len(frames["model"])))
        else:
            solara.Text(t("no_reference", lang))
        with solara.Row():
            solara.Button(t("pin", lang), on_click=pin, disabled=session.month == 0)
            solara.Button(t("unpin", lang), on_click=unpin, disabled=session.reference is None)


@solara.component
def LifeLine(session: Session, lang: str, version: int):
    """One sampled resident's life so far (the person panel, persons.csv): where they live and
    work, their commute and satisfaction month by month, and what happened to them. Closed, it
    holds nothing to redraw."""
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
        district = session.model.district
        home = area_name(district, now["sub_area"], lang)
        job = (t("life_job", lang, place=area_name(district, now["workplace"], lang), minutes=now["commute_min"])
               if now["employer"] != -1 else t("life_no_job", lang))
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(t("life_intro", lang, person=person, entry=panel_word(now["entry"], lang),
                          age=panel_word(now["age_band"], lang), home=home, job=job), classes=["life-intro"])
            solara.Button(t("another_person", lang), on_click=lambda: set_pick(pick + 1))
        solara.Text(t("life_note", lang, scale=session.config.run.scale), style={"color": "#666",
                                                                                 "font-size": "0.85em"})
        LiveEcharts(lambda: charts.life_chart(line, lang, session.config.run.months), "height: 240px;")
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
def ExportPanel(session: Session, lang: str, levers_version: int):
    """The run's data (built when downloaded) and the lever settings: redrawn when the levers
    change (``levers_version``), which is when the settings file and its name change."""
    try:
        toml_text = session.scenario_toml()
        problem = None
    except InputError as exc:
        toml_text, problem = None, exc.text(lang)
    with solara.Card(t("export", lang)):
        solara.FileDownload(session.export_zip, filename=f"chancheng_{session.config.name}.zip",
                            label=t("download_csv", lang))
        if toml_text is not None:
            solara.FileDownload(toml_text, filename=f"{session.draft.get('name', 'scenario')}.toml",
                                label=t("download_toml", lang))
        else:
            solara.Error(t("upload_error", lang, error=problem))


@solara.component
def LeverPanel(session: Session, lang: str, redraw, set_message, version: int):
    presets = list(cfg.builtin_scenarios())

    def choose_preset(name: str):
        session.load_preset(name)
        redraw()

    solara.Text(t("levers", lang), style={"font-size": "1.2em", "font-weight": "bold"})
    solara.Select(t("preset", lang), values=presets, value=session.draft.get("name") if session.draft.get("name")
                  in presets else None, on_value=choose_preset)
    if session.pending:
        solara.Warning(t("pending", lang), dense=True)
    for name_zh in GROUPS:
        solara.Text(group(name_zh, lang), style={"font-weight": "bold", "margin-top": "8px"})
        for name, cls in LEVERS.items():
            if cls.group == name_zh:
                LeverCard(session, name, cls, lang, redraw, version)
    solara.Text(t("upload", lang), style={"margin-top": "12px", "font-size": "0.9em"})
    ScenarioUpload(session, lang, redraw, set_message)


@solara.component
def ScenarioUpload(session: Session, lang: str, redraw, set_message):
    """A scenario file from the browser. Its size is checked from what the browser reports, before
    any of its bytes is sent; its content is read (in a thread) only when small enough. Every
    problem is one line in the page's language; the session stays as it was."""
    info, set_info = solara.use_state(None)
    files, set_files = solara.use_state(None)
    element = FileInput.element(accept=".toml", multiple=False, show_progress=False, on_file_info=set_info)

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
            config = session.load_upload(name, files[0]["file_obj"].read(UPLOAD_LIMIT + 1))
        except InputError as exc:
            set_message(("error", t("upload_error", lang, error=exc.text(lang))))
            return
        except Exception as exc:  # (whatever else a file can do: one line, never a traceback with server paths)
            set_message(("error", t("upload_failed", lang, name=name, kind=type(exc).__name__)))
            return
        set_message(("info", t("uploaded", lang, name=config.name)))
        redraw()

    solara.use_thread(read, dependencies=[files], intrusive_cancel=False)


@solara.component
def LeverCard(session: Session, name: str, cls, lang: str, redraw, version: int):
    """A lever family: its name, and — only while opened — its mechanism and its fields (closed
    cards hold no widgets, so the page has few elements to walk each month)."""
    opened, set_opened = solara.use_state(False)
    values = session.draft["levers"][name]
    title = cls.label if lang == "zh" else cls.label_en
    with solara.Card(margin=0, style={"margin-bottom": "6px", "padding": "0px 8px"}):
        solara.Button(("▾ " if opened else "▸ ") + title, text=True, on_click=lambda: set_opened(not opened),
                      style={"justify-content": "flex-start", "width": "100%", "text-transform": "none"})
        if opened:
            solara.Text(f"{t('mechanism', lang)}: " + (cls.mechanism_zh if lang == "zh" else cls.mechanism),
                        style={"font-size": "0.85em", "color": "#555"})
            for field, kind, spec, _ in specs(cls):
                FieldInput(session, name, field, kind, spec, values[field], lang, redraw)


@solara.component
def FieldInput(session: Session, lever: str, field: str, kind: str, spec, value, lang: str, redraw):
    label = field_label(lever, field, spec.doc, lang)
    if spec.unit and kind in ("int", "float"):
        label += f"（{unit(spec.unit, lang)}）" if lang == "zh" else f" ({spec.unit})"
    tip = (spec.doc if lang == "en" else label) + (f" — {t('source', lang)}: {spec.source}" if spec.source else "")
    if spec.reform is not None:
        shown = ", ".join(spec.reform) if isinstance(spec.reform, tuple) else spec.reform
        tip += f" · reform_2019: {shown}"

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
                district = session.model.district
                shown = list(district.street_names if lang == "zh" else district.street_pinyin)
                codes = list(district.street_names)
            solara.SelectMultiple(label, values=[shown[codes.index(v)] for v in value], all_values=shown,
                                  on_value=lambda chosen: set_value([codes[shown.index(c)] for c in chosen]))
        elif kind == "str":
            names = [choice(c, lang) for c in spec.choices]
            solara.Select(label, values=names, value=choice(value, lang),
                          on_value=lambda c: set_value(spec.choices[names.index(c)]))
        else:
            solara.Text(f"{label}: {value:g}", style={"font-size": "0.85em"})
            if kind == "int" and spec.hi - spec.lo <= 600:
                solara.SliderInt("", value=int(value), min=int(spec.lo), max=int(spec.hi), on_value=set_value)
            elif kind == "float" and spec.hi - spec.lo <= 3:
                solara.SliderFloat("", value=float(value), min=spec.lo, max=spec.hi, step=0.01,
                                   on_value=set_value)
            elif kind == "int":
                solara.InputInt("", value=int(value), on_value=lambda v: set_value(clamp(v, spec)))
            else:
                solara.InputFloat("", value=float(value), on_value=lambda v: set_value(clamp(v, spec)))


def clamp(value, spec):
    """Keep a typed number inside its allowed range (the page never holds an invalid number)."""
    if value is None:
        return spec.lo
    return min(max(value, spec.lo), spec.hi)
