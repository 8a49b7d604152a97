"""Generate the committed BPMN/DMN models in bpmn/.

    .venv/bin/python tools/make_models.py          # rewrite bpmn/*.bpmn and bpmn/*.dmn
    .venv/bin/python tools/make_models.py --check  # exit 1 if a committed file differs

The semantic part (pools, lanes, nodes, flows, Spiff extensions) is declared
below; the diagram interchange (shapes, edges, labels) comes from the generic
``engine.layout.add_diagram``. Ids are stable snake_case, so regenerating keeps
them. Conditions and DMN cells are Python expressions (SpiffWorkflow evaluates
them with ``eval``); timer text is written bare (``P3D``) as modelers write it:
the engine quotes bare ISO text before running.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.layout import add_diagram  # noqa: E402

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": XSI,
    "spiffworkflow": SPIFF,
}
TARGET_NS = "https://phasegate.local/bpmn"

TAGS = {
    "start": "startEvent", "end": "endEvent", "throw": "intermediateThrowEvent",
    "user": "userTask", "service": "serviceTask", "rule": "businessRuleTask",
    "xor": "exclusiveGateway", "and": "parallelGateway", "timer": "intermediateCatchEvent",
}


def q(tag: str, ns: str = BPMN) -> str:
    return f"{{{ns}}}{tag}"


class Model:
    """A tiny declarative builder: one pool, horizontal lanes, nodes, flows."""

    def __init__(self, pid: str, pool: str, lanes: list[tuple[str, str]], doc: str):
        self.pid, self.pool, self.doc = pid, pool, doc
        self.lanes = lanes                      # [(lane_id, name)]
        self.lane_ids = {name: lid for lid, name in lanes}
        self.nodes: list[dict] = []
        self.flows: list[dict] = []
        self.by_id: dict[str, dict] = {}

    def node(self, kind, nid, name, lane, doc=None, **extra):
        assert nid not in self.by_id, nid
        assert lane in self.lane_ids, lane
        n = {"kind": kind, "id": nid, "name": name, "lane": lane, "doc": doc, **extra}
        self.nodes.append(n)
        self.by_id[nid] = n
        return nid

    def boundary(self, nid, name, host, duration, doc=None, interrupting=False, timer="timeDuration",
                 calendar=None):
        """A timer on `host`'s border; `timer` is the BPMN timer kind, `calendar` a phasegate calendar."""
        lane = self.by_id[host]["lane"]
        return self.node("boundary", nid, name, lane, doc, host=host, duration=duration,
                         interrupting=interrupting, timer=timer, calendar=calendar)

    def timer(self, nid, name, lane, when, doc=None):
        """An intermediate timer that waits until the instant `when` (an expression or ISO text)."""
        return self.node("timer", nid, name, lane, doc, duration=when, timer="timeDate", calendar=None)

    def flow(self, src, tgt, name=None, cond=None, default=False, fid=None):
        fid = fid or f"{src}_to_{tgt}"
        assert all(f["id"] != fid for f in self.flows), fid
        self.flows.append({"id": fid, "src": src, "tgt": tgt, "name": name,
                           "cond": cond, "default": default})
        return fid

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:]):
            self.flow(a, b)

    # -- XML ---------------------------------------------------------------
    def build(self) -> etree._ElementTree:
        root = etree.Element(q("definitions"), nsmap=NSMAP)
        root.set("id", f"{self.pid}_definitions")
        root.set("targetNamespace", TARGET_NS)
        root.set("exporter", "phasegate tools/make_models.py")
        root.set("exporterVersion", "1")
        collab = etree.SubElement(root, q("collaboration"), id=f"{self.pid}_collaboration")
        etree.SubElement(collab, q("participant"), id=f"{self.pid}_pool",
                         name=self.pool, processRef=self.pid)

        proc = etree.SubElement(root, q("process"), id=self.pid, name=self.pool,
                                isExecutable="true")
        etree.SubElement(proc, q("documentation")).text = self.doc
        lane_set = etree.SubElement(proc, q("laneSet"), id=f"{self.pid}_lanes")
        for lid, lname in self.lanes:
            lane = etree.SubElement(lane_set, q("lane"), id=lid, name=lname)
            for n in self.nodes:
                if n["lane"] == lname:
                    etree.SubElement(lane, q("flowNodeRef")).text = n["id"]

        defaults = {f["src"]: f["id"] for f in self.flows if f["default"]}
        for n in self.nodes:
            kind = n["kind"]
            tag = "boundaryEvent" if kind == "boundary" else TAGS[kind]
            el = etree.SubElement(proc, q(tag), id=n["id"])
            if n["name"]:
                el.set("name", n["name"])
            if kind == "boundary":
                el.set("attachedToRef", n["host"])
                el.set("cancelActivity", "true" if n["interrupting"] else "false")
            if n["id"] in defaults:
                el.set("default", defaults[n["id"]])
            if n["doc"]:
                etree.SubElement(el, q("documentation")).text = n["doc"]
            if n.get("calendar"):
                ext = etree.SubElement(el, q("extensionElements"))
                props = etree.SubElement(ext, q("properties", SPIFF))
                etree.SubElement(props, q("property", SPIFF), name="calendar", value=n["calendar"])
            if kind == "service":
                ext = etree.SubElement(el, q("extensionElements"))
                op = etree.SubElement(ext, q("serviceTaskOperator", SPIFF),
                                      id=n["operator"], resultVariable=n["result"])
                params = etree.SubElement(op, q("parameters", SPIFF))
                for pid, ptype, value in n["params"]:
                    etree.SubElement(params, q("parameter", SPIFF), id=pid, type=ptype,
                                     value=value)
            elif kind == "rule":
                ext = etree.SubElement(el, q("extensionElements"))
                etree.SubElement(ext, q("calledDecisionId", SPIFF)).text = n["decision"]
            for f in self.flows:
                if f["tgt"] == n["id"]:
                    etree.SubElement(el, q("incoming")).text = f["id"]
            for f in self.flows:
                if f["src"] == n["id"]:
                    etree.SubElement(el, q("outgoing")).text = f["id"]
            if kind in ("boundary", "timer"):
                ted = etree.SubElement(el, q("timerEventDefinition"), id=f"{n['id']}_timer")
                etree.SubElement(ted, q(n["timer"])).text = n["duration"]

        for f in self.flows:
            el = etree.SubElement(proc, q("sequenceFlow"), id=f["id"],
                                  sourceRef=f["src"], targetRef=f["tgt"])
            if f["name"]:
                el.set("name", f["name"])
            if f["cond"]:
                ce = etree.SubElement(el, q("conditionExpression"))
                ce.set(q("type", XSI), "bpmn:tFormalExpression")
                ce.text = f["cond"]

        tree = etree.ElementTree(root)
        add_diagram(tree)
        return tree


# ---------------------------------------------------------------------------
# business_adjustment
# ---------------------------------------------------------------------------
TF, MG, TE, CS, MK, OP, CU = "专项小组", "管理层", "技术部", "客服中心", "市场部", "运营部", "客户"


def business_adjustment() -> Model:
    m = Model(
        "business_adjustment", "业务调整",
        [("lane_task_force", TF), ("lane_management", MG), ("lane_technology", TE),
         ("lane_customer_service", CS), ("lane_marketing", MK), ("lane_operations", OP)],
        "业务调整细则：准备阶段（2023年Q3）→ 试点阶段（2023年Q4）→ 全面推广阶段（2024年Q1，分批次上线），"
        "按月出具《业务调整成效报告》，年度总结。预算总金额500万元，优先保障技术升级项目。"
        "启动数据含阶段时间窗 preparation_start/preparation_end、pilot_start/pilot_end、"
        "rollout_start/rollout_end（ISO日期）。",
    )
    # -- 准备阶段 --------------------------------------------------------------
    m.node("start", "adjustment_started", "业务调整启动", TF,
           "准备阶段（2023年Q3）开始。启动数据携带各阶段时间窗（默认 2023-07-01～2023-09-30、"
           "2023-10-01～2023-12-31、2024-01-01～2024-03-31）。")
    m.node("user", "form_task_force", "成立专项小组", TF,
           "「成立专项小组：由各部门骨干组成，负责方案制定与监督执行。」"
           "建议构成：市场部2人、运营部3人、技术部2人、客服中心1人，另设项目经理1人。")
    m.node("user", "collect_feedback", "收集客户反馈", CS,
           "「收集过去12个月客户反馈，优先解决Top3高频问题。」"
           "从CRM导出投诉记录（CSV），填写导出文件路径 crm_export。")
    m.node("service", "analyse_top3", "Top3高频问题分析", TF,
           "提取高频关键词（如“等待时间长”“操作复杂”）；优先级筛选须同时满足：出现占比≥5% 且客户评分≤3，"
           "取前三（Top3）。结果写入 top3。",
           operator="top3_complaints", result="top3",
           params=[("export_path", "str", "crm_export")])
    m.node("user", "benchmark_peers", "对标分析", TF,
           "「分析行业标杆企业的业务流程，提炼可借鉴经验。」选取3家行业领先企业，对比服务闭环"
           "（咨询→下单→交付→售后）关键节点，评估可行性（规模、客群匹配度）。")
    m.node("user", "draft_proposal", "编制《业务调整草案》", TF,
           "「方案制定：完成《业务调整草案》」。草案须包含：调整前后的流程对比图（泳道图）、"
           "关键技术依赖清单（如AI客服机器人所需算力）、分阶段ROI测算表（按季度）。")
    m.node("xor", "review_merge", None, MG)
    m.node("user", "review_draft", "管理层审议", MG,
           "「经管理层审议通过后发布。」审议结论 draft_decision：approve（通过）或 revise（退回修改，"
           "须填写审议意见 review_comments）。")
    m.node("xor", "draft_decision", "审议通过？", MG)
    m.node("user", "revise_draft", "修改草案", TF,
           "按管理层审议意见（review_comments）修改《业务调整草案》，修改后重新提交管理层审议。")
    m.node("throw", "draft_published", "草案发布", MG,
           "《业务调整草案》经管理层审议通过，正式发布，进入试点阶段（2023年Q4）。")
    # -- 试点阶段 --------------------------------------------------------------
    m.timer("await_pilot_window", "试点阶段开始", MG, "pilot_start",
            "等待试点阶段时间窗开始（启动数据 pilot_start，默认2023-10-01，按 Asia/Shanghai 时间）。")
    m.node("and", "pilot_split", None, MG)
    m.node("user", "platform_pilot", "技术部开发平台试点", TE,
           "「技术部先行试点新开发平台，覆盖20%内部用户。」按使用频率与岗位分层；发布《平台使用手册》"
           "（图文教程+FAQ）；专人记录每日使用数据（登录次数、功能点击热力图）。")
    m.node("user", "smart_answer_pilot", "客服中心智能应答试点", CS,
           "「客服中心试点智能应答系统，处理简单咨询。」")
    m.node("and", "pilot_join", None, TF)
    m.node("xor", "weekly_merge", None, TF)
    m.node("user", "weekly_review", "每周复盘会", TF,
           "「每周召开复盘会，记录系统运行数据（如故障率、处理时长）。」填写本周故障率 fault_rate（%）"
           "与平均处理时长 handling_minutes（分钟）。")
    m.boundary("weekly_review_reminder", "复盘会逾期（每周）", "weekly_review", "R/P1W",
               "「每周召开复盘会」：复盘记录每超过一周未提交，即标记逾期一次（不中断本任务）。",
               timer="timeCycle")
    m.node("end", "weekly_review_flagged", "复盘会逾期已标记", TF)
    m.node("user", "pilot_survey", "匿名问卷", TF,
           "「通过匿名问卷收集用户意见，满意度目标≥85%。」填写满意度 satisfaction（%）。")
    m.node("rule", "pilot_signoff", "试点验收", MG,
           "决策表 pilot_signoff：满意度≥85%、故障率≤2%、平均处理时长≤120分钟（响应目标2小时）"
           "全部满足则 pilot_passed=True，方可进入全面推广；否则给出 pilot_reason。",
           decision="pilot_signoff")
    m.node("xor", "pilot_gate", "试点达标？", MG)
    m.node("user", "adjust_pilot", "调整并延长试点", TF,
           "试点未达标（原因见 pilot_reason）：调整试点方案并延长试点期，继续每周复盘。")
    # -- 全面推广阶段 ----------------------------------------------------------
    m.timer("await_rollout_window", "全面推广阶段开始", MG, "rollout_start",
            "等待全面推广阶段时间窗开始（启动数据 rollout_start，默认2024-01-01，按 Asia/Shanghai 时间）。")
    m.node("xor", "batch_merge", None, MG)
    m.node("user", "batch_decision", "分批上线决策", MG,
           "「分批次上线」：每一批次由管理层决定上线（go）或暂缓（no_go，须说明理由）。"
           "「市场部优先推广数字化营销工具」「运营部同步实施新仓储管理方案」。")
    m.node("xor", "batch_go_gate", "批准上线？", MG)
    m.node("user", "replan_batch", "调整批次计划", TF,
           "管理层暂缓本批次（理由见 decision_reason）：调整批次范围与计划后重新提交上线决策。")
    m.node("and", "rollout_split", None, TF)
    m.node("user", "marketing_rollout", "市场部数字化营销工具上线", MK,
           "「市场部优先推广数字化营销工具。」")
    m.node("user", "warehouse_rollout", "运营部新仓储管理方案", OP,
           "「运营部同步实施新仓储管理方案，目标库存周转率提升15%。」")
    m.node("xor", "training_merge", None, TF)
    m.node("user", "staff_training", "全员线上培训", TF,
           "「开展全员线上培训，确保90%员工掌握新系统操作。」填写本轮考核通过率 training_pass_rate（%），"
           "低于90%须重新培训。")
    m.node("xor", "training_gate", "通过率≥90%？", TF)
    m.node("user", "transition_support", "过渡期专人支持", TE,
           "「设立过渡期专人支持，解决使用中的疑难问题。」")
    m.node("and", "rollout_join", None, TE)
    m.node("user", "batch_check", "批次运行检查", TE,
           "检查本批次上线后的运行情况：stable（运行稳定）或 rollback（需局部回退）；"
           "运行稳定时说明是否还有后续批次（more_batches）。")
    m.node("xor", "batch_status_gate", "运行稳定？", TE)
    m.node("user", "rollback_batch", "局部回退", TE,
           "「建立容错机制：调整期内允许局部回退，但需在3日内提交复盘报告。」")
    m.node("user", "review_report", "提交复盘报告", TF,
           "「需在3日内提交复盘报告。」超过3日未提交即触发逾期处理（不中断本任务）。")
    m.boundary("review_report_overdue", "复盘报告逾期（3个工作日）", "review_report", "P3D",
               "局部回退后3日内（按中国法定节假日与调休计算的3个工作日）未提交复盘报告。",
               calendar="workdays-cn")
    m.node("user", "escalate_review", "复盘报告逾期处理", MG,
           "复盘报告超过3日未提交：管理层督办并记录处置措施。")
    m.node("end", "review_overdue_handled", "逾期已处理", MG)
    m.node("xor", "more_batches_gate", "还有后续批次？", MG)
    # -- 绩效评估 --------------------------------------------------------------
    m.node("xor", "month_merge", None, TF)
    m.node("user", "monthly_report", "编制《业务调整成效报告》", TF,
           "「每月提交《业务调整成效报告》」：投诉率（目标≤3%）、新功能使用率（目标≥30%）、"
           "成本节约金额及与预算（500万元）对比。")
    m.node("rule", "monthly_verdict", "月度成效评估", MG,
           "决策表 monthly_verdict：投诉率≤3%、新功能使用率≥30%、累计投入≤500万元预算；"
           "输出 month_on_track 与 month_flags。",
           decision="monthly_verdict")
    m.boundary("monthly_report_overdue", "成效报告逾期（1个月）", "monthly_report", "P1M",
               "「每月发布《业务调整成效报告》」：报告开始编制后一个月仍未提交即标记逾期（不中断本任务）。")
    m.node("end", "monthly_report_flagged", "成效报告逾期已标记", TF)
    m.node("xor", "year_gate", "满一年？", MG)
    m.node("user", "yearly_summary", "年度总结", MG,
           "「年度总结：对照KPI评估，表彰最佳执行团队。」")
    m.node("end", "adjustment_completed", "业务调整完成", MG)

    # flows
    m.chain("adjustment_started", "form_task_force", "collect_feedback", "analyse_top3",
            "benchmark_peers", "draft_proposal", "review_merge", "review_draft",
            "draft_decision")
    m.flow("draft_decision", "draft_published", "通过", 'draft_decision == "approve"')
    m.flow("draft_decision", "revise_draft", "退回修改", default=True)
    m.flow("revise_draft", "review_merge")
    m.chain("draft_published", "await_pilot_window", "pilot_split")
    m.flow("pilot_split", "platform_pilot")
    m.flow("pilot_split", "smart_answer_pilot")
    m.flow("platform_pilot", "pilot_join")
    m.flow("smart_answer_pilot", "pilot_join")
    m.chain("pilot_join", "weekly_merge", "weekly_review", "pilot_survey", "pilot_signoff",
            "pilot_gate")
    m.flow("pilot_gate", "await_rollout_window", "达标", "pilot_passed is True")
    m.flow("await_rollout_window", "batch_merge")
    m.flow("weekly_review_reminder", "weekly_review_flagged")
    m.flow("monthly_report_overdue", "monthly_report_flagged")
    m.flow("pilot_gate", "adjust_pilot", "未达标", default=True)
    m.flow("adjust_pilot", "weekly_merge")
    m.chain("batch_merge", "batch_decision", "batch_go_gate")
    m.flow("batch_go_gate", "rollout_split", "上线", 'batch_go == "go"')
    m.flow("batch_go_gate", "replan_batch", "暂缓", default=True)
    m.flow("replan_batch", "batch_merge")
    m.flow("rollout_split", "marketing_rollout")
    m.flow("rollout_split", "warehouse_rollout")
    m.flow("rollout_split", "training_merge")
    m.chain("training_merge", "staff_training", "training_gate")
    m.flow("training_gate", "transition_support", "达标", "training_pass_rate >= 90")
    m.flow("training_gate", "training_merge", "重新培训", default=True)
    m.flow("marketing_rollout", "rollout_join")
    m.flow("warehouse_rollout", "rollout_join")
    m.flow("transition_support", "rollout_join")
    m.chain("rollout_join", "batch_check", "batch_status_gate")
    m.flow("batch_status_gate", "more_batches_gate", "稳定", 'batch_status == "stable"')
    m.flow("batch_status_gate", "rollback_batch", "回退", default=True)
    m.chain("rollback_batch", "review_report")
    m.flow("review_report", "batch_merge")
    m.flow("review_report_overdue", "escalate_review")
    m.flow("escalate_review", "review_overdue_handled")
    m.flow("more_batches_gate", "batch_merge", "有", "more_batches is True")
    m.flow("more_batches_gate", "month_merge", "无", default=True)
    m.chain("month_merge", "monthly_report", "monthly_verdict", "year_gate")
    m.flow("year_gate", "yearly_summary", "满12个月", "report_month >= 12")
    m.flow("year_gate", "month_merge", "继续下月", default=True)
    m.chain("yearly_summary", "adjustment_completed")
    return m


# ---------------------------------------------------------------------------
# service loop before / after
# ---------------------------------------------------------------------------
SERVICE_LANES = [("lane_customer", CU), ("lane_customer_service", CS), ("lane_marketing", MK),
                 ("lane_operations", OP), ("lane_technology", TE)]


def _service_tail(m: Model, after: bool):
    """咨询之后的共用步骤：报价 → 下单 → 交付 → 售后（ids identical in both files)."""
    m.node("user", "prepare_quote", "数字化营销工具报价" if after else "人工报价", MK,
           "市场部通过数字化营销工具生成个性化报价与推荐。" if after
           else "市场部人工整理报价单。")
    m.node("user", "place_order", "下单", CU, "客户确认报价并下单（order_placed）。")
    m.node("xor", "order_gate", "客户下单？", CU)
    m.node("end", "inquiry_closed", "咨询结束（未下单）", CU)
    m.node("user", "deliver_order", "新仓储方案交付" if after else "订单交付", OP,
           "运营部按新仓储管理方案出库配送（目标库存周转率提升15%）。" if after
           else "运营部按原仓储流程人工出库配送。")
    m.node("user", "confirm_receipt", "确认收货", CU, "客户确认收货，说明是否需要售后（has_issue）。")
    m.node("xor", "after_sales_gate", "需要售后？", CU)
    m.node("user", "handle_after_sales", "售后处理", CS,
           "客服中心处理售后问题；涉及系统或产品技术问题时转技术部（needs_tech）。")
    m.node("xor", "tech_gate", "技术问题？", CS)
    m.node("user", "tech_support", "技术支持", TE, "技术部排查并解决技术问题。")
    m.node("xor", "close_merge", None, CU)
    m.node("end", "service_completed", "服务闭环完成", CU)

    m.chain("prepare_quote", "place_order", "order_gate")
    m.flow("order_gate", "deliver_order", "下单", "order_placed is True")
    m.flow("order_gate", "inquiry_closed", "未下单", default=True)
    m.chain("deliver_order", "confirm_receipt", "after_sales_gate")
    m.flow("after_sales_gate", "handle_after_sales", "需要", "has_issue is True")
    m.flow("after_sales_gate", "close_merge", "不需要", default=True)
    m.chain("handle_after_sales", "tech_gate")
    m.flow("tech_gate", "tech_support", "是", "needs_tech is True")
    m.flow("tech_gate", "close_merge", "否", default=True)
    m.flow("tech_support", "close_merge")
    m.chain("close_merge", "service_completed")


def service_loop_before() -> Model:
    m = Model("service_loop_before", "服务闭环（调整前）", SERVICE_LANES,
              "调整前的服务闭环：咨询 → 下单 → 交付 → 售后。所有咨询由客服人工解答，无统一响应时限"
              "（高频问题“等待时间长”）。")
    m.node("start", "inquiry_started", "客户发起咨询", CU)
    m.node("user", "submit_inquiry", "提交咨询", CU, "客户描述咨询内容。")
    m.node("user", "answer_inquiry", "人工解答咨询", CS,
           "客服人员逐一人工解答全部咨询，无统一响应时限。")
    m.chain("inquiry_started", "submit_inquiry", "answer_inquiry", "prepare_quote")
    _service_tail(m, after=False)
    return m


def service_loop_after() -> Model:
    m = Model("service_loop_after", "服务闭环（调整后）", SERVICE_LANES,
              "调整后的服务闭环：咨询分类，简单咨询由智能应答系统处理，复杂咨询由客服中心人工解答，"
              "目标平均2小时内响应，超时升级；报价使用数字化营销工具，交付执行新仓储管理方案。")
    m.node("start", "inquiry_started", "客户发起咨询", CU)
    m.node("user", "submit_inquiry", "提交咨询", CU,
           "客户描述咨询内容并选择咨询类型 inquiry_kind：simple（常见/简单问题）或 complex（复杂问题）。")
    m.node("xor", "inquiry_kind_gate", "咨询分类", CS)
    m.node("service", "smart_answer_inquiry", "智能应答", TE,
           "「客服中心试点智能应答系统，处理简单咨询。」智能应答系统自动答复；未能解决的转人工。",
           operator="smart_answer", result="smart_reply",
           params=[("question", "str", "inquiry_text"), ("kind", "str", "inquiry_kind"),
                   ("customer", "str", "customer_name")])
    m.node("xor", "smart_resolved_gate", "智能应答已解决？", TE)
    m.node("xor", "human_answer_merge", None, CS)
    m.node("user", "answer_inquiry", "人工解答咨询", CS,
           "「缩短响应时间至平均2小时内」：复杂咨询由客服中心人工解答，2小时未响应即升级。")
    m.boundary("answer_overdue", "2小时未响应", "answer_inquiry", "PT2H",
               "响应目标2小时；超时不中断解答，同时通知客服中心主管。")
    m.node("user", "escalate_inquiry", "咨询超时升级", CS,
           "客服中心主管跟进超时咨询并记录处置。")
    m.node("end", "escalation_closed", "升级处理完毕", CS)
    m.node("xor", "answer_merge", None, CS)

    m.chain("inquiry_started", "submit_inquiry", "inquiry_kind_gate")
    m.flow("inquiry_kind_gate", "smart_answer_inquiry", "简单咨询", 'inquiry_kind == "simple"')
    m.flow("inquiry_kind_gate", "human_answer_merge", "复杂咨询", default=True)
    m.chain("smart_answer_inquiry", "smart_resolved_gate")
    m.flow("smart_resolved_gate", "answer_merge", "已解决",
           'smart_reply.get("resolved") is True')
    m.flow("smart_resolved_gate", "human_answer_merge", "转人工", default=True)
    m.chain("human_answer_merge", "answer_inquiry", "answer_merge", "prepare_quote")
    m.flow("answer_overdue", "escalate_inquiry")
    m.flow("escalate_inquiry", "escalation_closed")
    _service_tail(m, after=True)
    return m


# ---------------------------------------------------------------------------
# DMN
# ---------------------------------------------------------------------------
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI_NS = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DMN_DC = "http://www.omg.org/spec/DMN/20180521/DC/"


def dmn_table(did, name, doc, hit_policy, inputs, outputs, rules) -> etree._ElementTree:
    """inputs: [(id, label, expression, typeRef)]; outputs: [(id, label, name, typeRef)];
    rules: [(id, description, [input cells], [output cells])]."""
    d = lambda tag: f"{{{DMN_NS}}}{tag}"  # noqa: E731
    root = etree.Element(d("definitions"), nsmap={None: DMN_NS, "dmndi": DMNDI_NS, "dc": DMN_DC})
    root.set("id", f"{did}_definitions")
    root.set("name", name)
    root.set("namespace", "https://phasegate.local/dmn")
    dec = etree.SubElement(root, d("decision"), id=did, name=name)
    etree.SubElement(dec, d("description")).text = doc
    table = etree.SubElement(dec, d("decisionTable"), id=f"{did}_table", hitPolicy=hit_policy)
    for iid, label, expr, tref in inputs:
        inp = etree.SubElement(table, d("input"), id=iid, label=label)
        ie = etree.SubElement(inp, d("inputExpression"), id=f"{iid}_expression", typeRef=tref)
        etree.SubElement(ie, d("text")).text = expr
    for oid, label, oname, tref in outputs:
        etree.SubElement(table, d("output"), id=oid, label=label, name=oname, typeRef=tref)
    for rid, desc, ins, outs in rules:
        rule = etree.SubElement(table, d("rule"), id=rid)
        etree.SubElement(rule, d("description")).text = desc
        for i, cell in enumerate(ins):
            e = etree.SubElement(rule, d("inputEntry"), id=f"{rid}_in{i + 1}")
            etree.SubElement(e, d("text")).text = cell
        for i, cell in enumerate(outs):
            e = etree.SubElement(rule, d("outputEntry"), id=f"{rid}_out{i + 1}")
            etree.SubElement(e, d("text")).text = cell
    dmndi = etree.SubElement(root, f"{{{DMNDI_NS}}}DMNDI")
    diagram = etree.SubElement(dmndi, f"{{{DMNDI_NS}}}DMNDiagram", id=f"{did}_drd")
    shape = etree.SubElement(diagram, f"{{{DMNDI_NS}}}DMNShape", id=f"{did}_di",
                             dmnElementRef=did)
    etree.SubElement(shape, f"{{{DMN_DC}}}Bounds", height="80", width="180", x="160", y="100")
    return etree.ElementTree(root)


def pilot_signoff_dmn():
    return dmn_table(
        "pilot_signoff", "试点验收判定",
        "试点阶段验收（Gate 2）。阈值：满意度 satisfaction ≥ 85（%，细则「满意度目标≥85%」）；"
        "故障率 fault_rate ≤ 2（%，本项目设定）；平均处理时长 handling_minutes ≤ 120（分钟，"
        "对应「缩短响应时间至平均2小时内」）。命中策略 FIRST：自上而下取第一条命中规则。"
        "单元格为 Python 表达式（SpiffWorkflow），不是 FEEL。",
        "FIRST",
        [("satisfaction_input", "满意度（%）", "satisfaction", "number"),
         ("fault_rate_input", "故障率（%）", "fault_rate", "number"),
         ("handling_minutes_input", "平均处理时长（分钟）", "handling_minutes", "number")],
        [("pilot_passed_output", "试点通过", "pilot_passed", "boolean"),
         ("pilot_reason_output", "结论说明", "pilot_reason", "string")],
        [("low_satisfaction", "满意度未达85%", ["< 85", "-", "-"],
          ["False", '"满意度低于85%"']),
         ("high_fault_rate", "故障率超过2%", ["-", "> 2", "-"],
          ["False", '"故障率高于2%"']),
         ("slow_handling", "平均处理时长超过2小时", ["-", "-", "> 120"],
          ["False", '"平均处理时长超过120分钟"']),
         ("all_met", "全部达标", ["-", "-", "-"],
          ["True", '"试点达标"'])],
    )


def monthly_verdict_dmn():
    rules = []
    names = ("投诉率超标", "新功能使用率不足", "超出预算")
    for c_ok in (True, False):
        for u_ok in (True, False):
            for b_ok in (True, False):
                oks = (c_ok, u_ok, b_ok)
                flags = [n for n, ok in zip(names, oks) if not ok]
                rid = "month_" + "_".join(
                    ("complaint_ok" if c_ok else "complaint_high",
                     "usage_ok" if u_ok else "usage_low",
                     "budget_ok" if b_ok else "over_budget"))
                rules.append((
                    rid,
                    "；".join(flags) if flags else "全部达标",
                    ["<= 3" if c_ok else "> 3", ">= 30" if u_ok else "< 30",
                     "<= 500" if b_ok else "> 500"],
                    ["True" if all(oks) else "False",
                     '"' + ("、".join(flags) if flags else "达标") + '"'],
                ))
    return dmn_table(
        "monthly_verdict", "月度成效评估",
        "《业务调整成效报告》月度评估。阈值：投诉率 complaint_rate ≤ 3（%）；新功能使用率 "
        "feature_usage ≥ 30（%）；累计投入 budget_used_wan ≤ 500（万元，预算总金额500万元）。"
        "成本节约金额 cost_saving_wan 随报告上报，用于与投入对比，不单独判定。"
        "命中策略 UNIQUE：8条规则覆盖全部组合且互斥。单元格为 Python 表达式。",
        "UNIQUE",
        [("complaint_rate_input", "投诉率（%）", "complaint_rate", "number"),
         ("feature_usage_input", "新功能使用率（%）", "feature_usage", "number"),
         ("budget_used_input", "累计投入（万元）", "budget_used_wan", "number")],
        [("month_on_track_output", "本月达标", "month_on_track", "boolean"),
         ("month_flags_output", "未达标项", "month_flags", "string")],
        rules,
    )


def outputs() -> dict[str, etree._ElementTree]:
    return {
        "business_adjustment.bpmn": business_adjustment().build(),
        "service_loop_before.bpmn": service_loop_before().build(),
        "service_loop_after.bpmn": service_loop_after().build(),
        "pilot_signoff.dmn": pilot_signoff_dmn(),
        "monthly_verdict.dmn": monthly_verdict_dmn(),
    }


def serialize(tree) -> bytes:
    return etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    out_dir = ROOT / "bpmn"
    out_dir.mkdir(exist_ok=True)
    stale = []
    for name, tree in outputs().items():
        data = serialize(tree)
        path = out_dir / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
