"""Realistic form values for every user task of the programme's models, used by `make demo` and tests.

`SAMPLES[task_id]` is a valid completion on the main path; a walk overrides single fields to take
another branch of a gate (e.g. `draft_decision="revise"`).
"""

from __future__ import annotations

from pathlib import Path

CRM_EXPORT = str(Path(__file__).resolve().parent / "data" / "crm_complaints_2022-07_2023-06.csv")

# Who acts for each lane in the demo (all from processes/roster.toml).
ACTORS = {
    "专项小组": "周涛", "管理层": "孙志强", "技术部": "杨磊", "客服中心": "黄丽",
    "市场部": "李娜", "运营部": "王芳", "客户": "何佳怡",
}

_PEER = {"inquiry": "7×24小时在线客服+智能分流", "ordering": "一键下单、订单状态实时推送",
         "delivery": "区域仓就近发货、次日达", "after_sales": "售后工单48小时闭环",
         "scale_fit": True, "customer_fit": True, "feasibility": "高"}

SAMPLES: dict[str, dict] = {
    # 准备阶段
    "form_task_force": {"project_manager": "周涛", "marketing_members": ["李娜", "张伟"],
                        "operations_members": ["王芳", "刘洋", "陈静"], "technology_members": ["杨磊", "赵敏"],
                        "service_members": ["黄丽"]},
    "collect_feedback": {"crm_export": CRM_EXPORT, "months_covered": 12},
    "benchmark_peers": {"peers": [{**_PEER, "company": "京东"}, {**_PEER, "company": "海尔", "feasibility": "中"},
                                  {**_PEER, "company": "小米", "customer_fit": False, "feasibility": "中"}],
                        "lessons": "智能分流简单咨询；订单状态主动推送；售后工单限时闭环"},
    "draft_proposal": {
        "scope_items": [{"item": "技术平台升级", "plan": "新开发平台与智能应答系统", "owner": "技术部"},
                        {"item": "服务流程再造", "plan": "咨询智能分流、2小时响应时限", "owner": "客服中心"},
                        {"item": "产品线优化", "plan": "数字化营销工具、细分市场新功能", "owner": "市场部"},
                        {"item": "人力资源配置调整", "plan": "全员线上培训、过渡期专人支持", "owner": "运营部"}],
        "operating_cost_baseline_wan": 3400,
        "tech_dependencies": [
            {"item": "AI客服机器人算力", "needed_by": "客服中心智能应答系统", "requirement": "GPU推理 2×A10，峰值 50 QPS",
             "owner": "技术部"},
            {"item": "CRM数据接口", "needed_by": "投诉分析与成效报告", "requirement": "投诉记录日增量同步", "owner": "客服中心"},
            {"item": "新开发平台", "needed_by": "技术部试点（20%内部用户）", "requirement": "容器集群 16核×8节点", "owner": "技术部"},
            {"item": "仓储管理系统接口", "needed_by": "运营部新仓储方案", "requirement": "库存实时同步，延迟≤5分钟",
             "owner": "运营部"}],
        "roi_table": [
            {"quarter": "2023Q3", "category": "技术平台升级", "item": "AI客服机器人与算力", "investment_wan": 60, "saving_wan": 0,
             "roi_pct": -100.0},
            {"quarter": "2023Q4", "category": "技术平台升级", "item": "新开发平台试点", "investment_wan": 120, "saving_wan": 10,
             "roi_pct": -91.7},
            {"quarter": "2023Q4", "category": "服务流程再造", "item": "智能应答流程改造", "investment_wan": 40, "saving_wan": 8,
             "roi_pct": -80.0},
            {"quarter": "2024Q1", "category": "技术平台升级", "item": "平台全面推广", "investment_wan": 90, "saving_wan": 40,
             "roi_pct": -55.6},
            {"quarter": "2024Q1", "category": "产品线优化", "item": "数字化营销工具", "investment_wan": 50, "saving_wan": 30,
             "roi_pct": -40.0},
            {"quarter": "2024Q1", "category": "人力资源配置调整", "item": "全员线上培训与过渡期支持", "investment_wan": 30,
             "saving_wan": 10, "roi_pct": -66.7},
            {"quarter": "2024Q2", "category": "服务流程再造", "item": "新仓储管理方案", "investment_wan": 40, "saving_wan": 90,
             "roi_pct": 125.0},
            {"quarter": "2024Q3", "category": "技术平台升级", "item": "平台运维优化", "investment_wan": 20, "saving_wan": 150,
             "roi_pct": 650.0},
            {"quarter": "2024Q4", "category": "产品线优化", "item": "细分市场新功能", "investment_wan": 20, "saving_wan": 170,
             "roi_pct": 750.0}]},
    "review_draft": {"draft_decision": "approve", "review_comments": ""},
    "revise_draft": {"revision_summary": "补充AI客服算力测算与分季度ROI依据"},
    # 试点阶段
    "platform_pilot": {"pilot_user_share_pct": 20, "user_layers": ["高频-研发", "中频-运营", "低频-职能"],
                       "manual_published": True, "usage_observer": "赵敏"},
    "smart_answer_pilot": {"simple_inquiry_share_pct": 62, "auto_resolved_pct": 71},
    "assign_experts": {"experts": ["钱学明", "孙浩然", "李建华", "周敏", "吴强", "郑丽", "王磊", "冯军", "陈思远", "褚文"],
                       "rotation_quarter": "2023Q4"},
    "rotate_experts": {"experts": ["杨磊", "赵敏", "郑浩", "周敏", "吴强", "郑丽", "王磊", "冯军", "陈思远", "褚文"],
                       "rotation_quarter": "2024Q1"},
    "expert_secondment": {"release_note": "试点验收通过，借调专家回原岗位"},
    "weekly_review": {"week_no": 1, "fault_rate": 1.2, "handling_minutes": 95, "complaint_rate": 1.8,
                      "notes": "登录偶发超时已修复"},
    "pilot_rollback": {"rollback_scope": "智能应答自动派单模块", "rollback_reason": "误派单率超过10%"},
    "pilot_review_report": {"report_summary": "自动派单回退为人工派单", "root_cause": "意图识别模型未覆盖售后类咨询",
                            "corrective_actions": ["补充售后语料", "派单灰度10%"]},
    "early_signoff": {"early_decision": "approve", "early_reason": "各项指标连续四周达标"},
    "pilot_survey": {"satisfaction": 88, "respondents": 214},
    "adjust_pilot": {"adjustment_plan": "修复工单分派缺陷，扩充FAQ知识库", "extend_weeks": 4},
    # 全面推广阶段
    "batch_decision": {"batch_no": 1, "batch_scope": "第1批：市场部数字化营销工具、华东仓", "batch_go": "go",
                       "decision_reason": ""},
    "replan_batch": {"replan_notes": "第2批待华南仓网络改造完成后上线"},
    "marketing_rollout": {"tools_launched": ["营销自动化平台", "客户画像看板"], "target_segments": ["年轻家庭", "中小企业"]},
    "warehouse_rollout": {"warehouses": ["华东仓"], "turnover_baseline": 6.4, "turnover_target_pct": 15},
    "staff_training": {"training_round": 1, "trained_staff": 1180, "training_pass_rate": 93},
    "transition_support": {"support_staff": ["郑浩", "徐敏"], "hotline": "内线 8200"},
    "batch_check": {"batch_status": "stable", "more_batches": False, "check_notes": "运行平稳"},
    "rollback_batch": {"rollback_scope": "华东仓出库模块", "rollback_reason": "波次拣货算法导致出库延迟"},
    "review_report": {"report_summary": "出库延迟4小时，已回退旧模块", "root_cause": "拣货算法未覆盖大促订单结构",
                      "corrective_actions": ["补充大促压测", "灰度上线拣货算法"]},
    "escalate_review": {"escalation_action": "管理层督办：24小时内提交复盘报告"},
    # 应急预案
    "restore_system": {"fault_summary": "智能应答服务宕机，影响在线咨询", "restore_result": "切换备用节点，45分钟恢复"},
    "inform_failure": {"management_instructions": "一周内完成根因分析并补充容灾演练"},
    "escalate_failure": {"escalation_action": "管理层督办：技术部负责人到场指挥恢复"},
    "handle_complaints": {"complaint_summary": "配送延迟投诉单日激增3倍", "handling_actions": "专人回访、主动补偿运费券"},
    "inform_surge": {"management_instructions": "运营部同步排查华东仓出库"},
    "escalate_surge": {"escalation_action": "管理层督办：客服中心增派坐席"},
    # 绩效评估
    "monthly_report": {"complaint_rate": 2.6, "feature_usage": 34, "cost_saving_wan": 410, "budget_used_wan": 468,
                       "product_line_progress": "数字化营销工具覆盖两个细分市场", "service_process_progress": "简单咨询智能应答率71%",
                       "platform_progress": "新开发平台全员上线", "staffing_progress": "过渡期支持2人，培训通过率93%"},
    "corrective_plan": {"corrective_actions": "扩充FAQ知识库、投诉48小时回访", "corrective_owner": "客服中心"},
    "budget_decision": {"overrun_decision": "extend", "extra_budget_wan": 30, "decision_note": "追加30万元用于细分市场新功能"},
    "yearly_summary": {"kpi_summary": "投诉率2.3%、新功能使用率37%、年度节约运营成本12.6%", "annual_cost_saving_pct": 12.6,
                       "department_results": [
                           {"department": "市场部", "kpi": "新功能使用率（%）", "target": 30, "actual": 37, "higher_is_better": True},
                           {"department": "运营部", "kpi": "库存周转率提升（%）", "target": 15, "actual": 17, "higher_is_better": True},
                           {"department": "技术部", "kpi": "平台故障率（%）", "target": 3, "actual": 2.4, "higher_is_better": False},
                           {"department": "客服中心", "kpi": "投诉率（%）", "target": 3, "actual": 2.3, "higher_is_better": False}],
                       "best_team": "客服中心", "award_note": "投诉率降至2.3%，简单咨询智能应答"},
    # 服务闭环
    "submit_inquiry": {"customer_name": "何佳怡", "inquiry_text": "请问退款多久到账？", "channel": "在线客服"},
    "answer_inquiry": {"answer_text": "退款将在3个工作日内原路退回", "response_minutes": 45},
    "escalate_inquiry": {"supervisor": "林晓燕", "escalation_note": "超2小时未答复，主管接手"},
    "prepare_quote": {"quote_items": "家用净水器 ×1 + 安装", "quote_amount": 2399},
    "place_order": {"order_placed": True, "order_quantity": 1},
    "deliver_order": {"delivery_no": "SF1234567890", "shipped_on": "2024-01-15"},
    "confirm_receipt": {"has_issue": True, "issue_text": "滤芯指示灯常亮", "satisfaction_score": 4},
    "handle_after_sales": {"resolution": "远程指导重置滤芯计时", "needs_tech": True},
    "tech_support": {"fix_summary": "固件 2.1.3 修复滤芯计时误报"},
}

# Twelve months of 成效报告 figures after the rollout (2024-01 … 2024-12): the complaint rate falls under
# 3% in month 4, feature usage passes 30% in month 5, the cumulative spend passes the 500万 budget in
# month 12 (a 管理层 decision), and the year saves 430万 of a 3400万 operating cost (12.6%).
MONTHLY_FIGURES: list[dict] = [
    {"complaint_rate": rate, "feature_usage": usage, "budget_used_wan": spent, "cost_saving_wan": saved}
    for rate, usage, spent, saved in zip(
        (3.6, 3.3, 3.1, 2.9, 2.8, 2.7, 2.6, 2.6, 2.5, 2.4, 2.4, 2.3),
        (21, 24, 27, 29, 31, 32, 33, 34, 35, 35, 36, 37),
        (310, 340, 365, 385, 400, 415, 430, 445, 458, 470, 490, 512),
        (35, 62, 95, 130, 165, 200, 240, 280, 320, 360, 395, 430))
]
