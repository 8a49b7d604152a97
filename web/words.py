"""The pages' words, written in English and shown in the reader's language (Chinese first).

Every text goes through `_()` with an English msgid. The catalog is `engine.i18n` (gettext via Babel)
when it is there; until then a stand-in with the same API reads `ZH` below, the Chinese the catalog
takes over.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    "My tasks": "我的待办",
    "The programme": "整体进度",
    "Sign in": "登录",
    "Sign out": "退出",
    "Signed in as {person} ({lanes})": "当前用户：{person}（{lanes}）",
    "Personal access token": "个人访问令牌",
    "An administrator (管理层) issues it with: phasegate people token NAME": "由管理层签发：phasegate people token 姓名",
    "Open tasks of my lanes, overdue first": "我所在泳道的待办任务，逾期的排在最前",
    "instance": "实例",
    "task": "任务",
    "lane": "泳道",
    "ready since": "开始于",
    "due": "到期",
    "overdue": "已逾期",
    "No open tasks in your lanes.": "您的泳道暂无待办任务。",
    "Submit": "提交",
    "Completed {task}; the instance is now {status}.": "已完成 {task}；实例状态：{status}。",
    "The form was not accepted:": "表单未通过校验：",
    "Refused:": "已拒绝：",
    "Nothing was changed.": "未做任何更改。",
    "Instance {id}": "实例 {id}",
    "History": "历史记录",
    "Data": "数据",
    "Ready": "待办",
    "Waiting": "等待中",
    "Completed": "已完成",
    "at": "时间",
    "who": "操作人",
    "action": "操作",
    "data": "数据",
    "status": "状态",
    "started by": "发起人",
    "revision": "版本",
    "process": "流程",
    "phase": "阶段",
    "gate": "关口",
    "next deadline": "最近期限",
    "Deadlines, soonest first": "期限（由近到远）",
    "kind": "类型",
    "name": "名称",
    "Instances by phase and gate": "各实例所处阶段与关口",
    "Download the draft bundle (《业务调整草案》 diagrams)": "下载《业务调整草案》图表包",
    "The latest 成效报告": "最新《业务调整成效报告》",
    "completed": "已完成",
    "ready": "待办",
    "waiting": "等待中",
    "path taken": "已走路径",
    "The page refreshes when the instance changes.": "实例变化时页面自动刷新。",
    "Open the task": "打开任务",
    "(none)": "（无）",
    "not signed in": "未登录",
    "the token is not valid (wrong, revoked or mistyped)": "令牌无效（错误、已吊销或输入有误）",
    "the request carries no valid CSRF token; nothing was changed": "请求缺少有效的 CSRF 令牌，未做任何更改",
    "Open tasks of every lane": "所有泳道的待办",
    "Back to my tasks": "返回我的待办",
    "language": "语言",
    "{count} open tasks, page {page} of {pages}": "共 {count} 项待办，第 {page}/{pages} 页",
}


def _standin(lang: str):
    """The catalog's API (`translator(lang).gettext`) over `ZH`, used until `engine.i18n` exists."""

    class Standin:
        def gettext(self, message: str) -> str:
            return ZH.get(message, message) if lang == "zh" else message

    return Standin()


try:  # the message catalog of the whole program, once it is there
    from engine.i18n import translator  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the i18n work being merged
    translator = _standin


def language(accept: str | None, asked: str | None = None) -> str:
    """zh or en: what `?lang=` asks, else the browser's Accept-Language; Chinese when neither says."""
    if asked in ("zh", "en"):
        return asked
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def words(lang: str):
    """The `_` of one language."""
    return translator(lang).gettext
