"""The figures page (统计): numbers, ECharts charts, the handlers' workload, handoff waits and containment over a
date range, and two CSV exports Excel opens correctly (the totals; one row per order, names and phones masked).

The charts read the same figures from a JSON data block in the page (`<script type="application/json">`,
which CSP does not treat as code), so the page, the charts and the CSV always agree.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Response, g, render_template, request

from ..domain.validation import InvalidInput
from .base import desk, now_local, store
from .formatting import CHANNEL_LABELS, number, percent, wait

MAX_DAYS = 366
BOM = "\ufeff"


def _range() -> tuple[date, date]:
    """?from=&to= (local dates, inclusive); the last 30 days by default."""
    today = now_local().date()
    try:
        end = date.fromisoformat(request.args["to"]) if request.args.get("to") else today
        start = (
            date.fromisoformat(request.args["from"]) if request.args.get("from") else end - timedelta(days=29)
        )
    except ValueError as exc:
        raise InvalidInput("from", "日期格式应为 YYYY-MM-DD") from exc
    if start > end or (end - start).days >= MAX_DAYS:
        raise InvalidInput("from", f"日期范围应为1到{MAX_DAYS}天，且开始日期不晚于结束日期")
    return start, end


def _figures_for(start: date, end: date) -> dict:
    figures = store().figures(g.actor, start, end)
    figures["by_channel"] = {CHANNEL_LABELS.get(k, k): v for k, v in figures["by_channel"].items()}
    return figures


def _figures() -> tuple[dict, date, date]:
    start, end = _range()
    return _figures_for(start, end), start, end


def rows(figures: dict, start: date, end: date) -> list[list[str]]:
    """The export as rows: the period, the headline figures, then each breakdown."""
    out = [
        ["统计区间", start.isoformat(), end.isoformat()],
        [],
        ["指标", "数值"],
        ["工单总数", str(figures["total"])],
        ["已答复", str(figures["answered"])],
        ["回访率（目标100%）", percent(figures["callback_rate"])],
        ["按期答复率", percent(figures["on_time_rate"])],
        ["首次联系用时中位数（小时）", number(figures["median_hours_to_first_contact"])],
        ["平均满意度（5分制）", number(figures["mean_satisfaction"])],
        ["已评价工单", str(figures["rated"])],
    ]
    for title, key in (
        ("渠道", "by_channel"),
        ("类型", "by_kind"),
        ("状态", "by_status"),
        ("日期", "by_day"),
    ):
        out += [[], [title, "工单数"]] + [[str(k), str(v)] for k, v in figures[key].items()]
    out += [[], ["承办人", "角色", "分配", "未办结", "已办结", "按期答复率"]]
    out += [
        [
            p["name"],
            p["role"],
            str(p["assigned"]),
            str(p["open"]),
            str(p["closed"]),
            percent(p["on_time_rate"]),
        ]
        for p in figures["handlers"]
    ]
    handoffs, contained = figures["handoffs"], figures["containment"]
    out += [
        [],
        ["转人工", "数值"],
        ["转人工请求", str(handoffs["requests"])],
        ["等待接入时长中位数", wait(handoffs["median_wait_seconds"])],
        ["等待接入时长P90", wait(handoffs["p90_wait_seconds"])],
        ["无人接入", str(handoffs["untaken"])],
        ["无人接入率", percent(handoffs["untaken_rate"])],
        ["坐席离线转回", str(handoffs["dropped_by_clerk"])],
        ["工作人员转回智能助手", str(handoffs["handed_back"])],
        [],
        ["智能助手独立解决率", percent(contained["rate"])],
        ["对话数来源", contained["source"] or f"无（{contained['reason']}）"],
    ]
    return out


ORDER_COLUMNS = (
    ("number", "工单编号"),
    ("kind", "类型"),
    ("channel", "渠道"),
    ("created", "登记时间"),
    ("due", "答复期限"),
    ("answered", "答复时间"),
    ("closed", "办结时间"),
    ("handler", "承办人"),
    ("on_time", "按期答复"),
    ("satisfaction", "满意度"),
    ("citizen", "群众（脱敏）"),
    ("phone", "回电号码（脱敏）"),
)


def _cell(value: str) -> str:
    """No spreadsheet formulas from data (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit() else value


@desk.get("/figures")
def figures_page():
    try:
        figures, start, end = _figures()
        problem = None
    except InvalidInput as exc:
        start, end = now_local().date() - timedelta(days=29), now_local().date()
        figures, problem = _figures_for(start, end), exc.message
    chart_data = {k: figures[k] for k in ("by_channel", "by_kind", "by_status")}
    chart_data["by_day"] = every_day(figures["by_day"], start, end)
    return render_template(
        "figures.html", figures=figures, start=start, end=end, problem=problem, chart_data=chart_data
    )


def every_day(counts: dict[str, int], start: date, end: date) -> dict[str, int]:
    """Daily counts with the quiet days as zeros, so the line chart's time axis is true."""
    days = ((start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1))
    return {day[5:]: counts.get(day, 0) for day in days}


def _csv(table: list[list[str]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in table:
        writer.writerow([_cell(cell) for cell in row])
    return Response(
        BOM + buffer.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@desk.get("/figures.csv")
def figures_csv():
    figures, start, end = _figures()
    return _csv(rows(figures, start, end), f"workorder-figures_{start.isoformat()}_{end.isoformat()}.csv")


@desk.get("/figures/orders.csv")
def orders_csv():
    """One row per order created in the range that the reader may see; the citizen's name and phone masked."""
    start, end = _range()
    orders = store().figure_rows(g.actor, start, end)
    channel = CHANNEL_LABELS
    table = [[title for _, title in ORDER_COLUMNS]] + [
        [channel.get(o[key], o[key]) if key == "channel" else o[key] for key, _ in ORDER_COLUMNS]
        for o in orders
    ]
    return _csv(table, f"workorders_{start.isoformat()}_{end.isoformat()}.csv")
