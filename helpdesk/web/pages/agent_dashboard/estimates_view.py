"""What the dashboard's «¿Se cumplen nuestras estimaciones?» card shows, in the reader's language.

Made on the server from services/estimate_accuracy (no query here): share, counts, median and
p90 as sentences, the early/late distribution for the chart and one row per priority.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel

from helpdesk import i18n
from helpdesk.services import estimate_accuracy
from helpdesk.services.estimate_accuracy import Accuracy


class EstimateRow(BaseModel):
    label: str
    share: str  # "66,7 %"
    value: int  # 0-100, the bar's length
    counts: str  # "2 de 3"
    aria: str  # "Alta: 66,7 % a tiempo"


def _delta(minutes: Optional[float], locale: str) -> str:
    if minutes is None:
        return ""
    if minutes == 0:
        return i18n.translate("estimates.on_the_dot", locale)
    key = "estimates.late_by" if minutes > 0 else "estimates.early_by"
    return i18n.translate(key, locale, duration=i18n.duration_hours(abs(minutes) / 60, locale))


def _priority_label(priority: str, locale: str) -> str:
    if priority == estimate_accuracy.NO_PRIORITY:
        return i18n.translate("agent.priority_none", locale)
    return i18n.translate(f"priority.{priority}", locale)


def fields(acc: Accuracy, locale: str) -> dict:
    """The card's state vars (names as in DashboardState), empty values when nothing is known."""
    o = acc.overall
    tr = lambda key, **kw: i18n.translate(key, locale, **kw)  # noqa: E731
    late = i18n.plural("estimates.late", o.late, locale)
    if o.unanswered:
        late = f"{late} · {i18n.plural('estimates.unanswered', o.unanswered, locale)}"
    rows = []
    for priority, f in acc.by_priority.items():
        label, share = _priority_label(priority, locale), i18n.percent(f.share_kept, locale)
        rows.append(EstimateRow(label=label, share=share, value=round(f.share_kept or 0),
                                counts=tr("estimates.row_counts", kept=f.kept, total=f.total),
                                aria=tr("estimates.priority_share", priority=label, share=share)))
    early = {"early_over_1h", "early_within_1h"}
    return {
        "est_total": o.total,
        "est_share": i18n.percent(o.share_kept, locale),
        "est_counts": tr(f"estimates.counts_{'one' if o.total == 1 else 'many'}", kept=o.kept, count=o.total),
        "est_late": late,
        "est_median": _delta(o.median_minutes, locale),
        "est_p90": _delta(o.p90_minutes, locale),
        "est_buckets": [{"name": tr(f"estimates.bucket.{name}"), "early": n if name in early else 0,
                         "late": 0 if name in early else n} for name, n in acc.buckets],
        "est_rows": rows,
    }
