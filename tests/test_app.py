"""The web page in a real browser: Debian's chromium driven by Playwright against a server the
tests start and stop. Screenshots land in ``test-artifacts/``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sim import config as cfg
from sim.cli import main
from sim.ui import assets
from sim.ui.i18n import metric_name, scenario_title
from sim.ui.server import CHROMIUM, CHROMIUM_ARGS, local_server

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(bool(assets.missing()), reason="the page's offline files are missing (python -m sim.ui.assets)"),
]


@pytest.fixture(scope="module")
def server():
    with local_server() as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser session (its own context) on the page, ready."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(server, timeout=90_000)
    page.get_by_role("button", name="单步").wait_for(timeout=90_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def step(page, times: int = 1) -> None:
    for _ in range(times):
        now = int(page.locator(".month-label").inner_text().split()[1])
        page.get_by_role("button", name="单步").click()
        page.get_by_text(f"第 {now + 1} 月").wait_for(timeout=30_000)


def choose_preset(page, name: str, label: str = "预设情景") -> None:
    page.locator(".v-input", has_text=label).locator(".v-select__slot").click()
    page.get_by_role("option", name=scenario_title(name, "zh"), exact=True).click()


def kpi(page, name: str, month: int) -> str:
    """The headline number ``name`` once its card shows ``month`` (the month label and the cards are
    separate widgets: the browser may apply one before the other)."""
    shown = page.locator(f".kpi-card-{name}[data-month='{month}'] .kpi")
    shown.wait_for(timeout=30_000)
    return shown.inner_text()


def test_the_page_loads_in_chinese(page):
    assert page.get_by_role("heading", name="成华区产城融合政策模拟").is_visible()
    for label in ("播放", "单步", "重置"):
        assert page.get_by_role("button", name=label).is_visible()
    assert page.get_by_text("政策杠杆", exact=True).is_visible()
    assert page.get_by_role("button", name="▸ 审批制度改革").is_visible()
    page.get_by_role("button", name="▸ 审批制度改革").click()  # a lever card opens on its fields
    page.get_by_text("工程建设项目审批事项数").wait_for(timeout=30_000)
    assert page.get_by_text("第 0 月").is_visible()
    shot(page, "loaded_zh")


def test_step_advances_the_month_and_a_chart_changes(page):
    chart = page.locator(".line-panel canvas").nth(1)  # an indicator panel's plot
    before = chart.screenshot()
    step(page, 2)
    page.wait_for_timeout(500)
    assert page.get_by_text("2019-02").first.is_visible()
    assert chart.screenshot() != before
    assert kpi(page, "jobs_housing_ratio", 2) != "—"
    shot(page, "stepped")


def test_a_lever_and_reset_change_an_outcome(page):
    step(page, 3)
    baseline_days = kpi(page, "students_per_teacher_primary", 3)
    choose_preset(page, "only_quota_pool")
    page.get_by_text("点击“重置”后生效").wait_for(timeout=30_000)
    page.get_by_role("button", name="重置").click()
    page.get_by_text("第 0 月").wait_for(timeout=30_000)
    step(page, 3)
    assert kpi(page, "students_per_teacher_primary", 3) != baseline_days
    assert page.get_by_text(scenario_title("only_quota_pool", "zh")).first.is_visible()
    shot(page, "lever_reset")


def test_the_language_switches(page):
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Chenghua industry–city integration simulator").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Step").is_visible()
    assert page.get_by_role("button", name="▸ Approval reform").is_visible()
    shot(page, "english")
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="成华区产城融合政策模拟").wait_for(timeout=30_000)


def test_a_reference_gives_every_card_a_difference_and_a_verdict(page):
    page.get_by_role("button", name="以当前杠杆为参照").click()  # the 2018 baseline, on the same seeds
    page.get_by_text("参照 A：").wait_for(timeout=180_000)
    choose_preset(page, "reform_2019")
    page.get_by_role("button", name="重置").click()
    page.get_by_text("第 0 月").wait_for(timeout=30_000)
    step(page, 2)
    kpi(page, "approval_days_12m", 2)
    diff = page.locator(".kpi-card-approval_days_12m .kpi-diff").inner_text()
    assert diff.startswith("比参照") and "[" in diff
    verdicts = page.locator(".kpi-verdict").all_inner_texts()
    assert len(verdicts) == 8 and all(v in ("显著改善", "无明显差异", "显著恶化", "") for v in verdicts)
    assert verdicts[4] in ("显著改善", "无明显差异", "显著恶化")  # approval days have a better direction
    assert page.get_by_text("显著改善").first.is_visible()  # the legend
    shot(page, "compare")
    for width, height in ((1024, 768), (1440, 900)):  # with the differences and verdicts, still inside
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        cards_inside(page, width, height)
        page.screenshot(path=str(ARTIFACTS / f"layout_reference_{width}.png"))


def cards_inside(page, width: int, height: int) -> None:
    cards = page.locator(".cards .card")
    assert cards.count() == 8
    for i in range(8):
        box = cards.nth(i).bounding_box()
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width \
            and box["y"] + box["height"] <= height, (i, box)


@pytest.mark.parametrize("width, height", [(1024, 768), (1440, 900), (1920, 1080)])
def test_every_headline_card_is_inside_the_viewport(browser, server, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(server, timeout=90_000)
        page.get_by_role("button", name="单步").wait_for(timeout=90_000)
        step(page, 1)
        page.wait_for_timeout(300)
        cards_inside(page, width, height)
        assert not page.get_by_text("This website runs on").count()  # no badge over the content
        page.screenshot(path=str(ARTIFACTS / f"layout_{width}.png"))
    finally:
        context.close()


def test_downloads_parse_and_the_toml_runs_with_the_cli(page, tmp_path):
    step(page, 2)
    with page.expect_download() as csvs:
        page.get_by_text("下载本次运行数据").click()
    with zipfile.ZipFile(io.BytesIO(Path(csvs.value.path()).read_bytes())) as archive:
        archive.extractall(tmp_path / "run")
    for name in ("runs", "model", "streets", "zones"):
        assert len(pd.read_csv(tmp_path / "run" / f"{name}.csv")) > 0
    model = pd.read_csv(tmp_path / "run" / "model.csv", encoding="utf-8-sig")  # Chinese headers on the Chinese page
    assert set(model["随机种子"]) == set(range(5)) and set(model["月份"]) == {1, 2} and "职住比" in model
    assert (tmp_path / "run" / "字段说明.csv").exists()
    with page.expect_download() as toml:
        page.get_by_text("下载当前杠杆设置").click()
    scenario = tmp_path / "scenario.toml"
    scenario.write_bytes(Path(toml.value.path()).read_bytes())
    assert main(["run", "--scenario", str(scenario), "--months", "2", "--scale", "100",
                 "--out", str(tmp_path / "again"), "--quiet"]) == 0


def test_the_settings_download_follows_a_new_preset_at_once(page):
    choose_preset(page, "reform_2019")
    page.get_by_text("点击“重置”后生效").wait_for(timeout=30_000)
    with page.expect_download() as toml:  # before any Step or Reset
        page.get_by_text("下载当前杠杆设置").click()
    assert toml.value.suggested_filename == "reform_2019.toml"
    assert 'name = "reform_2019"' in Path(toml.value.path()).read_text(encoding="utf-8")


def test_a_bad_uploaded_toml_shows_its_error(page, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers.approval]\nitems = 'many'\n", encoding="utf-8")
    upload(page, bad)
    page.get_by_text("情景文件有误").wait_for(timeout=30_000)
    assert page.get_by_text("levers.approval.items").first.is_visible()
    good = tmp_path / "good.toml"
    good.write_text('name = "uploaded"\n[levers.approval]\nitems = 52\n', encoding="utf-8")
    upload(page, good)
    page.get_by_text("已载入情景“uploaded”").wait_for(timeout=30_000)
    shot(page, "upload")


def upload(page, path: Path) -> None:
    page.locator(".levers input[type=file]").set_input_files(str(path))  # (the other one is the reference's)


def test_two_sessions_stay_isolated(browser, server):
    contexts = [browser.new_context() for _ in range(2)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.goto(server, timeout=90_000)
            p.get_by_role("button", name="单步").wait_for(timeout=90_000)
        step(pages[0], 3)
        pages[1].wait_for_timeout(500)
        assert pages[1].get_by_text("第 0 月").is_visible()
        step(pages[1], 1)
        assert pages[0].get_by_text("第 3 月").is_visible()
    finally:
        for c in contexts:
            c.close()


def test_hostile_uploads_get_one_line_in_chinese_and_the_session_goes_on(page, tmp_path):
    """A number too large for a float, nesting too deep to parse, a run finer than the page allows
    and a 50 MB file (refused from its size, before it is sent): each is one Chinese line."""
    cases = {
        "huge.toml": ("[uncertainties]\nrent_weight = 1" + "0" * 400 + "\n", "不是有限的数"),
        "deep.toml": ("a = " + "[" * 5000 + "]" * 5000 + "\n", "嵌套过深"),
        "fine.toml": ("[run]\nscale = 1\n", "比网页允许的更精细"),
        "big.toml": ("# " + "x" * (50 * 1024 * 1024) + "\n", "文件过大"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        upload(page, path)
        page.get_by_text(expected).wait_for(timeout=30_000)
        assert not page.get_by_text("Traceback").count()
    shot(page, "hostile_upload")
    step(page, 1)
    assert page.get_by_text("第 1 月").is_visible()


def test_one_residents_life_line(page):
    step(page, 6)
    page.get_by_role("button", name="▸ 一位居民的生活轨迹").click()
    intro = page.locator(".life-intro")
    intro.wait_for(timeout=30_000)
    first = intro.inner_text()
    assert first.startswith("居民 #") and "现住" in first
    events = page.locator(".life-events")
    events.wait_for(timeout=30_000)  # (a widget of its own: it may come after the intro)
    assert "日期" in events.inner_text()  # the most eventful resident has events
    page.get_by_role("button", name="换一位居民").click()
    page.wait_for_function("t => document.querySelector('.life-intro').innerText !== t", arg=first,
                           timeout=30_000)
    page.locator(".life-events").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "life_line.png"))  # (the viewport: the card is at the page's foot)


def test_a_reload_keeps_the_run_and_the_language(page):
    step(page, 3)
    page.get_by_role("button", name="English").click()
    page.get_by_text("Month 3 ·").wait_for(timeout=30_000)
    page.reload()
    page.get_by_text("Month 3 ·").wait_for(timeout=90_000)  # the same session: the run and the language
    page.get_by_role("button", name="中文").click()
    page.get_by_text("第 3 月").wait_for(timeout=30_000)
    step(page, 1)


def test_the_time_slider_looks_at_a_past_month_and_comes_back(page):
    choose_preset(page, "reform_2019")
    page.get_by_role("button", name="重置").click()
    page.get_by_text("第 0 月").wait_for(timeout=30_000)
    step(page, 6)
    latest = kpi(page, "jobs_housing_ratio", 6)
    marks = page.locator(".marks span")
    assert marks.count() >= 1 and marks.first.inner_text().startswith("▲")  # where levers start
    track = page.locator(".time-slider .v-slider").bounding_box()
    page.mouse.click(track["x"] + track["width"] * 2 / 120, track["y"] + track["height"] / 2)
    page.get_by_text("正在查看：2019-0").wait_for(timeout=30_000)
    looked = int(page.get_by_text("正在查看：2019-0").inner_text().split("-")[1])  # month m is 2019-m
    assert looked < 6 and page.get_by_text("第 6 月").is_visible()  # the run stays at month 6
    assert kpi(page, "jobs_housing_ratio", looked) != latest  # the numbers follow the month looked at
    shot(page, "time_slider")
    page.get_by_role("button", name="回到最新月份").click()
    page.get_by_text("正在查看：最新月份").wait_for(timeout=30_000)
    assert kpi(page, "jobs_housing_ratio", 6) == latest


def click_a_street(page) -> None:
    """Click the map's first street (its SVG shape); its name shows as the street chosen."""
    page.locator(".street-map path.street").first.click()
    page.locator(".street-chosen").wait_for(timeout=30_000)


def test_a_click_on_a_street_shows_its_trends(page):
    step(page, 3)
    canvases = page.locator("canvas").count()
    page.locator(".street-map path.street").first.hover()  # the tooltip: the street and its value
    tip = page.locator(".street-map-tip").inner_text(timeout=30_000)
    assert "职住比：" in tip
    click_a_street(page)
    chosen = page.locator(".street-chosen").inner_text()
    assert chosen.startswith("已选街道：") and chosen.removeprefix("已选街道：") in tip
    page.wait_for_function(f"() => document.querySelectorAll('canvas').length > {canvases}", timeout=30_000)
    page.locator(".street-chosen").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "street_trends.png"))
    step(page, 1)  # the trends follow the run
    assert page.locator(".street-chosen").inner_text() == chosen
    page.get_by_role("button", name="关闭").click()
    page.locator(".street-chosen").wait_for(state="detached", timeout=30_000)


def test_the_glossary_and_the_cards_define_every_headline_number(page):
    page.get_by_role("button", name="▸ 指标说明（定义、单位、目标与改善方向）").click()
    table = page.locator("table.glossary")
    table.wait_for(timeout=30_000)
    text = table.inner_text()
    for name in ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting",
                 "students_per_teacher_primary", "unemployment_rate", "satisfaction"):
        assert metric_name(name, "zh") in text, name
    assert "0.8" in text and "1.25" in text  # the balanced band of the jobs–housing ratio
    assert "越高越好" in text or "越低越好" in text
    titles = page.locator(".cards .card").evaluate_all("cards => cards.map(c => c.title)")
    assert len(titles) == 8 and all(titles)  # hovering a card gives its definition
    table.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "glossary.png"))


def test_a_comparison_to_the_horizon_its_export_and_its_brief(page, tmp_path):
    """B is the 2019 package over 30 months (an uploaded file), A the 2018 baseline on the same
    seeds: the difference table, the export with A, B and the differences, and the brief as a PDF."""
    short = tmp_path / "reform_30.toml"
    short.write_text(cfg.with_run(cfg.resolve("reform_2019"), months=30).to_toml(), encoding="utf-8")
    upload(page, short)
    page.get_by_text("已载入情景").wait_for(timeout=30_000)
    page.get_by_role("button", name="重置").click()
    page.get_by_text("共 30 月").first.wait_for(timeout=30_000)
    choose_preset(page, "baseline_2018", label="参照情景 A（预设）")
    page.get_by_text("参照 A：").wait_for(timeout=300_000)
    page.get_by_role("button", name="运行至终点并对比").click()
    table = page.locator(".table-scroll table").first
    table.wait_for(timeout=300_000)
    text = page.locator(".table-scroll").inner_text()
    assert "全区" in text and any(word in text for word in ("显著改善", "无明显差异", "显著恶化"))
    page.get_by_text("第 30 月").wait_for(timeout=30_000)  # every chart shows B to the horizon, beside A
    shot(page, "comparison_table")
    with page.expect_download() as export:
        page.get_by_text("下载对比数据").click()
    with zipfile.ZipFile(io.BytesIO(Path(export.value.path()).read_bytes())) as archive:
        names = set(archive.namelist())
    assert {"differences.csv", "model.csv", "runs.csv", "字段说明.csv"} <= names
    with page.expect_download(timeout=120_000) as brief:
        page.get_by_text("生成简报（PDF）").click()
    pdf = Path(brief.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    words = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "职住比" in words and "成华" in words
