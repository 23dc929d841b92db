"""Abolishing institutions, the quota turnover pool (编制周转池) and headcount posts (员额) in
education and health: re-allocations in the staffing ledger (``sim.agents.staffing``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever

STAGES = ("kindergarten", "primary", "junior", "senior")  # the education units quotas may go to


@dataclass(frozen=True)
class QuotaPool(Lever):
    name = "quota_pool"
    label = "编制周转池与员额管理"
    label_en = "Quota turnover pool and headcount"
    group = "服务"
    mechanism = ("Abolished institutions' quotas go to schools and kindergartens of the chosen stages and to "
                 "hospitals where their staff fall short of need; the turnover pool lends institutions' quotas "
                 "the same way and gets them back when loans fall due; headcount posts (员额), within a yearly "
                 "budget, fill units short of staff (\"basic + headcount (more)\") or add a little to the others "
                 "(\"quota + headcount (less)\"). Quotas in all stay the district's total.")
    mechanism_zh = ("撤销事业单位的编制按缺口调配给所选学段的学校、幼儿园和医院；周转池以借用方式调剂其他事业单位编制，"
                    "到期归还；员额在年度预算内补足缺编单位（基本+员额（多）），其余单位少量补充（编制+员额（少））。"
                    "编制总量不变。")

    institutions: int = param(0, unit="institutions", lo=0, hi=100, reform=9,
                              source="source: 9 institutions abolished in 2019",
                              doc="public institutions abolished (their functions end)")
    quotas: int = param(0, unit="quotas", lo=0, hi=2000, reform=240,
                        source="source: 240+ quotas re-allocated",
                        doc="quotas the abolished institutions free, re-allocated to education and health")
    education_share: float = param(0.7, unit="share", lo=0.0, hi=1.0, reform=0.7,
                                   source="assumption: the source names education and health",
                                   doc="share of freed and lent quotas going to education (the rest to hospitals)")
    levels: tuple[str, ...] = param(STAGES, choices=STAGES, reform=STAGES,
                                    source="assumption: every stage",
                                    doc="education stages the quotas go to (by their units' shortfall)")
    loan_quotas: int = param(0, unit="quotas", lo=0, hi=2000, reform=100,
                             source="assumption: the source names the pool (周转池), not its size",
                             doc="quotas the turnover pool keeps on loan from the other institutions")
    loan_months: int = param(36, unit="months", lo=1, hi=240, reform=36,
                             source="assumption: a loan lasts three school years",
                             doc="months before a loan comes back to its lender (then lent again where short)")
    headcount_mode: bool = param(False, reform=True, source="source: headcount (员额) control in education and health",
                                 doc="schools, kindergartens and hospitals may hire headcount posts beside quotas")
    headcount_budget: float = param(0.0, unit="million yuan a year", lo=0.0, hi=2000.0, reform=60.0,
                                    source="assumption: the source gives no budget (≈ 500 posts at the data's cost)",
                                    doc="yearly budget for headcount posts")

    def problems(self):
        if (self.quotas > 0 or self.loan_quotas > 0) and self.education_share > 0 and not self.levels:
            return [("levels", "list at least one education stage when quotas go to education",
                     "编制调剂给教育时至少列出一个学段")]
        if self.headcount_mode and self.headcount_budget <= 0:
            return [("headcount_budget", "headcount posts need a budget above 0", "实行员额管理需要大于 0 的预算")]
        return []

    def apply(self, model, month: int) -> None:
        if self.share_by(month) <= 0:
            return
        ledger = model.staffing
        ledger.abolish(self.quotas * self.share_in(month), self.institutions * self.share_in(month))
        reserve = ledger.reserve
        education, health = ledger.education_units(self.levels), ledger.health_units()
        ledger.allocate(education, ledger.shortfall(education), reserve * self.education_share)
        ledger.allocate(health, ledger.shortfall(health), ledger.reserve)
        ledger.return_loans(month)
        wanted = self.loan_quotas * self.share_by(month) - ledger.on_loan
        if wanted > 0:
            lender, due = ledger.lender, month + self.loan_months
            ledger.lend(lender, education, ledger.shortfall(education), wanted * self.education_share, due)
            ledger.lend(lender, health, ledger.shortfall(health), wanted * (1.0 - self.education_share), due)
        if self.headcount_mode:
            ledger.set_headcount(ledger.headcount_plan(), self.headcount_budget * 1e6 * self.share_by(month))
