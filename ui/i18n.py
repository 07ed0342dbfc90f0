"""Interface strings: Chinese first, English as a switch. Data labels (names, clauses) stay Chinese."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access.importing.spec import REPORT_TYPES
from data_access.vocab import STAGES
from ui.state import LANG

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("学生心理健康专项行动监测", "Student Mental Health Plan Monitor"),
    "overview": ("总览", "Overview"),
    "map": ("地图", "Map"),
    "schools_map": ("全部学校", "All schools"),
    "school": ("学校", "School"),
    "targets": ("目标", "Targets"),
    "completeness": ("上报完整性", "Reporting"),
    "import": ("上报导入", "Import"),
    "scope": ("规划范围", "Plan scope"),
    "city": ("市", "City"),
    "county": ("县(区)", "County"),
    "year": ("年度", "Year"),
    "indicator": ("指标", "Indicator"),
    "stage": ("学段", "School stage"),
    "mode": ("着色方式", "Colouring"),
    "mode_status": ("按目标达成", "Against target"),
    "mode_value": ("按数值", "Raw value"),
    "approved_only": ("仅显示已审核数据", "Approved data only"),
    "approved_only_help": ("开启时, 未经上级审核的县(区)上报按未上报计 (待审核), 不按0计; "
                           "本县用户仍可看到本县未审核数据。",
                           "When on, a county's reports not yet approved by the level above count as not reported "
                           "(pending review), never as zero; a county's own users still see its unapproved figures."),
    "basis": ("数据口径", "Basis"),
    "all": ("全部", "All"),
    "whole_scope": ("全域", "Whole area"),
    "language": ("语言 / Language", "Language / 语言"),
    "demo_banner": ("演示数据：本看板当前连接的是随机生成的演示数据仓库，数字不代表真实统计。",
                    "Demo data: this dashboard is connected to a generated demo warehouse; "
                    "the figures are not real statistics."),
    "no_data_year": ("所选年度没有任何上报数据。请选择其他年度。", "No reports for the selected year."),
    "target": ("目标", "Target"),
    "deadline": ("期限", "Deadline"),
    "value": ("数值", "Value"),
    "status": ("状态", "Status"),
    "clause": ("规划条款", "Plan clause"),
    "ranking": ("差距排名", "Ranking by gap"),
    "trajectory": ("达标所需年均进度", "Yearly progress needed"),
    # Shared
    "whole_province": ("全省", "Whole province"),
    "data_as_of": ("数据截至", "Data as of"),
    "unit": ("单位", "Unit"),
    "rank": ("名次", "Rank"),
    "reported_col": ("报送本项指标", "Reported this indicator"),
    "missing": ("还需 / 差距", "Still needed / gap"),
    "fraction": ("分子/分母", "Numerator/denominator"),
    "stage_only": ("仅统计学段: {stage} — 医院、社区和人口类指标不按学段区分, 已隐藏。",
                   "Stage {stage} only: hospital, community and population indicators are not split by stage "
                   "and are hidden."),
    "no_indicators": ("该范围内没有适用的指标或单位。", "No indicator or unit applies in this area."),
    # Map
    # All schools (deck)
    "schools_map_title": ("{area} · 全部学校 · {indicator} · {year}", "{area} · All schools · {indicator} · {year}"),
    "schools_map_not_schools": ("「{name}」按医院、社区或人口统计, 没有学校点位。请在左侧选择学校类指标。",
                                "\"{name}\" is counted by hospitals, communities or population and has no school "
                                "points. Choose a school indicator on the left."),
    "schools_map_caption": ("每个点是一所学校, 颜色为该指标的达成情况(灰色 = 无上报、不适用或样本不足, 不按 0 计); "
                            "悬停查看数值, 点击打开学校页面。缺少坐标的学校不在图上。",
                            "Each dot is a school, coloured by how it stands against the target (grey = no report, "
                            "not applicable or small sample, never counted as 0); hover for the value, click to open "
                            "the school. Schools without coordinates are not on the map."),
    "schools_map_dense": ("本图共 {count} 所学校。为在没有独立显卡的电脑上也能流畅显示, 圆点按打开时的比例绘制, "
                          "最多放大 {levels} 级; 在左侧选择市或县区可看清每所学校并自由缩放。",
                          "{count} schools on this map. So that it stays smooth on computers without a graphics "
                          "card, the dots are drawn for the opening scale and the map zooms in {levels} levels at "
                          "most; choose a city or county on the left to see each school with free zoom."),
    "no_school_points": ("「{name}」按医院、社区或人口统计, 没有学校点位。"
                         "请在左侧选择学校类指标, 或返回上一级查看该县所在地区的分布。",
                         "\"{name}\" is counted by hospitals, communities or population and has no school points. "
                         "Choose a school indicator on the left, or go back up a level."),
    "no_units": ("所选范围内没有适用该指标的单位(例如该县没有学校, 或所选学段不适用)。",
                 "No unit in the selected area is covered by this indicator (no schools, or the stage does "
                 "not apply)."),
    "click_school": ("点击学校打开学校页面", "Click a school to open its page"),
    "click_region": ("点击地图上的地区进入下一级", "Click an area on the map to drill down"),
    "grey_note": ("灰色 = 无上报、不适用或样本不足(不按 0 计)。", "grey = no report, not applicable or small sample "
                  "(never counted as 0)."),
    "none_reported": ("所选范围内的单位在该年度均未上报此指标。", "No unit in the area reported this indicator "
                      "for the year."),
    "slipped_first": ("达标后回落的单位排在最前", "List units that slipped after meeting the target first"),
    "ranking_note": ("还需 = 达到目标还缺的教师、辅导室、门诊等数量; 年均进度 = 差距 ÷ 距期限年数; 无数据、不适用、"
                     "样本不足的单位不参与排名, 排在最后。",
                     "Still needed = teachers, rooms, clinics etc. missing to meet the target; yearly progress = "
                     "gap ÷ years to the deadline; units with no data, not applicable or a small sample are not "
                     "ranked and come last."),
    "export_map_table": ("导出 (幻灯片图片 / 表格)", "Export (slide image / table)"),
    "urban_rural_title": ("城市与农村社区家长学校建校率对比", "Parent schools: urban and rural communities"),
    "urban_rural_note": ("省级规划对城市、农村社区分别设定了 90% 和 80% 的目标, 因此分开着色。",
                         "The provincial plan sets separate targets for urban (90%) and rural (80%) "
                         "communities, so they are coloured separately."),
    # Overview
    "exports_title": ("会议材料与表格导出", "Meeting pack and table export"),
    # Targets
    "targets_note": ("已录入规划中的全部量化目标, 按辖区和规划期排列。当前值按所选年度计算, "
                     "只列在该年度据以考核的规划下; 期限已过的目标继续有效, 直到后续规划生效。",
                     "Every quantified target of the plans on file, by jurisdiction and plan period. Current values "
                     "are for the selected year, under the plan that judges it; targets stay in force after their "
                     "deadline until a successor plan takes over."),
    "plan_issued": ("印发 {issued} · 辖区代码 {adcode}", "Issued {issued} · jurisdiction code {adcode}"),
    "judged_by": ("{year}按 {target} 考核", "{year}: judged by {target}"),
    # School
    "choose_school": ("选择学校", "Choose a school"),
    "please_choose": ("请选择…", "Please choose…"),
    "no_schools": ("所选范围内没有学校。请在左侧选择其他市、县或学段。",
                   "No schools in the selected area. Choose another city, county or stage on the left."),
    "school_count": ("共 {n} 所学校。请选择一所学校, 或在地图页点击学校。",
                     "{n} schools. Choose one, or click a school on the map page."),
    "boarding": ("寄宿制", "boarding"),
    "day_school": ("非寄宿", "day school"),
    "urban": ("城市", "urban"),
    "rural": ("农村", "rural"),
    "school_code": ("编号", "code"),
    "school_no_targets": ("该校没有适用的目标或尚无上报。", "No target applies to this school, or it has not "
                          "reported yet."),
    "school_by_year": ("各年度对照目标", "Against the targets, year by year"),
    "school_not_met": ("{year}未达标项", "Not met in {year}"),
    "school_reports": ("历年上报原始数据", "Reports as submitted"),
    "school_no_reports": ("该校没有任何年度上报。", "This school has not reported in any year."),
    "not_reported": ("未上报", "not reported"),
    "years_not_reported": ("未上报年度: ", "Years not reported: "),
    # Completeness
    "report_type": ("上报类型", "Report type"),
    "report_on_time": ("各单位应按期上报", "Every unit reports on time"),
    "no_units_of_kind": ("所选范围内没有该类上报单位。", "No unit in the area files this report."),
    "sent_report": ("报送{kind} (已报/应报)", "Sent the {kind} (sent/expected)"),
    "report_rate": ("上报率 {rate}", "{rate} reported"),
    "report_rate_title": ("{kind} 上报率 ({year})", "{kind}: share reported ({year})"),
    "report_rate_bands": ("达标 = 全部上报; 接近 = 上报率 ≥90%", "Met = all reported; close = at least 90% reported"),
    "by_county": ("各县(区)上报情况", "Reporting by county"),
    "code": ("代码", "Code"),
    "reported_n": ("已上报", "Reported"),
    "expected_n": ("应上报", "Expected"),
    "report_rate_pct": ("上报率", "Share reported"),
    "not_reported_units": ("未上报单位", "Units not reported"),
    "all_reported": ("全部单位均已上报。", "Every unit has reported."),
    "unit_code": ("单位代码", "Unit code"),
    "unit_name": ("单位名称", "Unit name"),
    # Import (the importer's own messages and the template stay Chinese: they quote the Chinese template)
    "plan_period_caption": ("规划期 {start}—{end}年 · 印发 {issued} · 规划代码 {key}",
                            "Plan period {start}–{end} · issued {issued} · plan key {key}"),
    "plan_judged": ("{year}据此规划考核", "{year} is judged against this plan"),
    "plan_not_judged": ("{year}不据此规划考核", "{year} is not judged against this plan"),
    "final_download_docx": ("下载终期评估报告 (Word)", "Download the final evaluation (Word)"),
    "final_download_csv": ("下载明细 CSV", "Download the table (CSV)"),
    "final_download_xlsx": ("下载明细 Excel", "Download the table (Excel)"),
    "final_outside": ("终期评估: 该规划辖区超出您的查看范围",
                      "Final evaluation: this plan's area is outside your region"),
    "final_title": ("终期评估报告", "Final evaluation report"),
    "final_note": ("每项目标在期限年度的数值、达标与差距、期限时的上报情况及此后变化; 点击即生成并下载。",
                   "Each target's value in its deadline year, met or missed and by how much, reporting at the deadline "
                   "and what happened since; built when clicked (the report itself is in Chinese)."),
    "final_with_maps": ("Word 报告附重点指标地图 (较慢)", "Include maps of the headline indicators (slower)"),
    "final_no_maps": ("报告将不附地图", "the report will have no maps"),
    "demo_anonymous": ("演示数据, 未登录只读浏览", "Demo data, read-only without signing in"),
    "signed_in_as": ("已登录: {name} ({login})\n{role} · {region}", "Signed in: {name} ({login})\n{role} · {region}"),
    "logout": ("退出登录", "Sign out"),
    "account": ("账号", "Account"),
    # Login
    "login": ("登录", "Sign in"),
    "login_caption": ("学生心理健康专项行动监测看板", "Student Mental Health Plan Monitor"),
    "login_demo": ("当前为演示数据, 未登录只读浏览。上报导入和撤销须登录。",
                   "Demo data, read-only without signing in. Importing and undoing need an account."),
    "login_name": ("账号", "Login"),
    "login_password": ("密码", "Password"),
    "login_sso": ("统一身份认证", "Single sign-on"),
    "login_sso_logout": ("退出统一身份认证账号", "Sign out of single sign-on"),
    "login_failed": ("账号或密码不正确, 或账号已停用。", "Wrong login or password, or the account is disabled."),
    "login_locked_address": ("从此网络地址登录失败的次数过多, 已暂时锁定: 请约 {minutes} 分钟后再试, 或联系管理员。",
                             "Too many failed sign-ins from this network address: locked for now. Try again in "
                             "about {minutes} minutes, or ask an administrator."),
    "login_locked": ("该账号连续登录失败次数过多, 已暂时锁定: 请约 {minutes} 分钟后再试, 或联系管理员解除锁定。",
                     "Too many failed sign-ins for this account: locked for now. Try again in about {minutes} "
                     "minutes, or ask an administrator to clear the lock."),
    "sso_no_account": ("统一身份认证通过, 但该身份没有对应的启用账号: 请联系管理员开通, 或退出后换一个账号。",
                       "Single sign-on succeeded, but no active account belongs to this identity: ask an "
                       "administrator for one, or sign out and use another identity."),
    "idle_signed_out": ("超过 {minutes} 分钟未操作, 已自动退出登录。请重新登录。",
                        "No activity for more than {minutes} minutes: you were signed out. Please sign in again."),
    "account_disabled": ("该账号已停用或没有可查看的地区, 已退出登录。",
                         "This account is disabled or has no region to view: you were signed out."),
    "session_ended": ("您的登录已在别处结束 (退出登录、修改密码或管理员操作), 请重新登录。",
                      "Your session was ended elsewhere (sign-out, password change or an administrator): "
                      "please sign in again."),
    "please_sign_in": ("请先登录。", "Please sign in first."),
    "signed_out": ("已退出登录。", "Signed out."),
    "account_login": ("账号: {login}", "Login: {login}"),
    "account_name": ("显示名: {name}", "Display name: {name}"),
    "account_role": ("角色: {role} · 范围: {region}", "Role: {role} · Region: {region}"),
    "account_anonymous": ("未登录: 演示数据只读浏览, 没有账号可管理。", "Not signed in: read-only demo, no account."),
    "must_change_password": ("您正在使用初始密码或管理员重设的密码。请先设置自己的新密码, 之后才能使用看板。",
                             "You are using an initial or administrator-set password. Choose your own password "
                             "before using the dashboard."),
    "change_password": ("修改密码", "Change password"),
    "old_password": ("原密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "new_password_again": ("再次输入新密码", "New password again"),
    "password_rules": ("至少 10 个字符, 混合至少两类字符 (小写字母、大写字母、数字、符号), 不能与账号名相同。",
                       "At least 10 characters of at least two kinds (lower case, upper case, digits, symbols), "
                       "not the login."),
    "save_password": ("保存新密码", "Save new password"),
    "password_changed": ("密码已修改。其他浏览器和标签页中的登录已结束。",
                         "Password changed. Sessions in other browsers and tabs have been signed out."),
    "sso_no_password": ("您通过统一身份认证登录, 看板中没有本地密码: 请在统一身份认证系统中修改密码。",
                        "You signed in through single sign-on: there is no local password here; change it with "
                        "your identity provider."),
    "admin_accounts": ("账号管理 (本辖区)", "Accounts (your region)"),
    "admin_pick_user": ("账号", "Account"),
    "admin_unlock": ("解除锁定", "Unlock"),
    "admin_sign_out_everywhere": ("全部退出登录", "Sign out everywhere"),
    "admin_unlocked": ("已解除 {login} 的登录锁定。", "Sign-in lock of {login} cleared."),
    "admin_not_locked": ("{login} 当前没有登录锁定 (已记录解除操作)。",
                         "{login} was not locked (the unlock is logged)."),
    "admin_signed_out": ("{login} 的 {n} 个登录已结束, 各浏览器在下一次操作时退出。",
                         "{n} session(s) of {login} ended; each browser is signed out at its next click."),
    "admin_no_users": ("本辖区还没有账号。", "No accounts in your region yet."),
    "lock_events": ("最近 7 天的登录锁定与失败", "Lockouts and failed sign-ins, last 7 days"),
    "lock_events_none": ("最近 7 天没有登录锁定或失败。", "No lockouts or failed sign-ins in the last 7 days."),
    "event_time": ("时间 (UTC)", "Time (UTC)"),
    "event_login": ("账号", "Login"),
    "event_kind": ("事件", "Event"),
    "event_source": ("来源地址", "Source address"),
    "event_detail": ("说明", "Detail"),
    "event_locked": ("锁定", "locked"),
    "event_throttled": ("锁定期间被拒绝", "refused while locked"),
    "event_login_failed": ("登录失败", "failed sign-in"),
    "event_unlocked": ("解除锁定", "unlocked"),
    "all_regions": ("全部地区", "all regions"),
    "role_viewer": ("查看", "viewer"),
    "role_reporter": ("填报", "reporter"),
    "role_reviewer": ("审核", "reviewer"),
    "role_admin": ("管理", "administrator"),
    "imp_needs_login": ("上报导入须以填报员或管理员账号登录。", "Importing needs a reporter or administrator account."),
    "imp_acting_as": ("导入人: {name} ({login}), 范围 {region}; 导入和撤销都记在此账号名下。",
                      "Importing as {name} ({login}), region {region}; imports and undos are recorded under this "
                      "account."),
    "imp_intro": ("整份文件一起导入: 有任何问题则整份不写入。先检查并预览, 确认后一次写入; 每次导入 (包括被拒绝的) "
                  "都记入导入历史, 已导入的批次可以撤销。",
                  "A file is imported whole: with any problem, nothing is written. It is checked and previewed "
                  "first, then written at once; every import (rejected ones too) is kept in the history, and "
                  "imported batches can be undone."),
    "imp_template_title": ("1. 下载模板", "1. Download the template"),
    "imp_prefill": ("预填{region}的{units}代码、名称和年度 ({year})",
                    "Pre-fill the codes and names of the {units} of {region} and the year ({year})"),
    "imp_with_values": ("同时填入{year}已上报的数值 (更正时只改需要改的格, 其余保持原值)",
                        "Also fill in the values reported for {year} (to correct, change only the cells "
                        "that need it)"),
    "imp_download_template": ("下载「{kind}」模板 (Excel)", "Download the \"{kind}\" template (Excel)"),
    "imp_template_note": ("模板含「填表说明」工作表: 每列的含义、单位和允许的值。空白表示未上报, 实际为 0 的请填 0。",
                          "The template has an instructions sheet: what each column means, its unit and "
                          "allowed values. Blank means not reported; enter 0 for a real zero."),
    "imp_upload_title": ("2. 上传填好的文件", "2. Upload the filled-in file"),
    "imp_choose_file": ("选择文件: Excel (.xlsx/.xls/.xlsb)、WPS (.et)、LibreOffice (.ods) 或 CSV",
                        "Choose a file: Excel (.xlsx/.xls/.xlsb), WPS (.et), LibreOffice (.ods) or CSV"),
    "imp_choose_help": ("一次上传一份文件; 文件先检查, 不会直接写入。",
                        "One file at a time; it is checked first, never written directly."),
    "imp_checking": ("正在检查文件…", "Checking the file…"),
    "imp_checked_as": ("按「{kind}」检查。如选错了上报类型, 在上方改选后会重新检查; "
                       "改好文件后重新上传即可 (把旧文件移除或直接拖入新文件)。",
                       "Checked as \"{kind}\". If that is the wrong report type, choose another above and it "
                       "is checked again; after fixing the file, upload it again."),
    "imp_added": ("新增", "Added"),
    "imp_changed": ("修改", "Changed"),
    "imp_unchanged": ("不变", "Unchanged"),
    "imp_rows": ("{n} 行", "{n} rows"),
    "imp_no_change": ("文件中的数据与数据仓库完全一致: 导入不会改动任何数据。",
                      "The file matches the warehouse exactly: importing it would change nothing."),
    "imp_warnings": ("经验校验提示 (不是错误, 可以导入; 提交上报时须说明)",
                     "Plausibility warnings (not errors: the file can be imported; explain them when submitting)"),
    "imp_will_write": ("将写入的内容 (修改处列出原值和新值)", "What will be written (changes show old and new values)"),
    "imp_commit": ("确认导入", "Import"),
    "imp_already": ("该文件已导入 (批次 {batch})。如需再导入, 请上传修改后的文件。",
                    "This file has been imported (batch {batch}). To import again, upload a changed file."),
    "imp_history": ("导入历史", "Import history"),
    "imp_no_history": ("还没有导入记录。", "No imports yet."),
    "imp_batches": ("已导入的批次", "Imported batches"),
    "imp_show_changes": ("查看修改明细", "Show the changes"),
    "imp_undo": ("撤销该批次", "Undo this batch"),
    "imp_undo_help": ("恢复该批次覆盖的原值并删除其新增的行; 之后又有导入改过同一数据时会拒绝。",
                      "Restores the values the batch overwrote and deletes the rows it added; refused when a "
                      "later import changed the same data."),
    "imp_undo_refused": ("未撤销: {reason}", "Not undone: {reason}"),
    "imp_undo_db_error": ("未撤销, 数据库错误, 已全部回滚: {detail}",
                          "Not undone: database error, everything rolled back: {detail}"),
    "imp_undone": ("已撤销批次 {batch}, 数据已恢复到导入之前; 撤销本身记为批次 {undo} (也可撤销)。",
                   "Batch {batch} undone: the data is as before the import; the undo itself is batch {undo} "
                   "(which can be undone too)."),
    "imp_batch_empty": ("该批次没有改动任何数据。", "This batch changed no data."),
    # School entry form (填报)
    "entry": ("填报", "Report"),
    "role_school": ("学校填报", "school reporter"),
    "entry_needs_school": ("填报页面供学校账号使用: 县(区)请用「上报导入」导入学校的报表。",
                           "The report form is for school accounts; counties import their schools' reports on the "
                           "Import page."),
    "entry_other_school": ("链接中的学校 ({school}) 不是您的学校: 学校账号只能查看和填报本校。",
                           "The link names another school ({school}): a school account sees and reports only its "
                           "own school."),
    "entry_report_type": ("报表", "Report"),
    "entry_state": ("状态: {state}", "State: {state}"),
    "entry_returned": ("县级已退回, 原因:", "Returned by the county, reason:"),
    "entry_locked": ("只读:", "Read-only:"),
    "entry_intro": ("空白表示未上报 (不是 0); 实际为 0 的请填 0。保存草稿不计入统计; "
                    "提交后报送县级, 县级退回前不能修改。",
                    "Blank means not reported (not 0); enter 0 for a real zero. A draft is not counted; "
                    "once submitted the report goes to the county and cannot be changed unless it is returned."),
    "entry_save": ("保存草稿", "Save draft"),
    "entry_submit": ("提交", "Submit"),
    "entry_saved": ("已保存草稿 (批次 {batch})。提交前不计入统计。",
                    "Draft saved (batch {batch}); not counted until submitted."),
    "entry_submitted": ("已提交县级 (批次 {batch})。", "Submitted to the county (batch {batch})."),
    "entry_rejected": ("未保存: 有 {n} 处问题, 请按字段旁的提示修改 (已填的内容保留)。",
                       "Not saved: {n} problems, see the notes beside the fields (what you typed is kept)."),
    "entry_needs_explanation": ("未提交: 有 {n} 条经验校验提示 (见字段旁), 请核实; "
                                "确实如此请在「情况说明」中写明原因后再提交。",
                                "Not submitted: {n} plausibility warnings (beside the fields); check them, and if the "
                                "figures are right explain why under Explanation, then submit."),
    "entry_blank_choice": ("未填", "not reported"),
    "entry_history": ("本校填报记录", "This school's report history"),
    "entry_no_history": ("还没有填报记录。", "No reports yet."),
    "entry_explanation": ("情况说明 (有提示时提交前须填写)", "Explanation (required to submit with warnings)"),
    "entry_refused_page": ("学校账号只能使用「填报」页面。", "A school account can only use the report form."),
    "entry_go": ("前往填报", "Go to the report form"),
    "school_submissions": ("学校填报", "School reports"),
    "subs_needs_county": ("学校填报情况须以县(区)的填报员或管理员账号查看。",
                          "School reports are for a county's reporter or administrator."),
    "subs_choose_county": ("请在左侧选择一个县(区): 学校填报按县(区)查看。",
                           "Choose a county in the sidebar: school reports are listed per county."),
    "subs_summary": ("{year} 应报学校 {n} 所: 已提交 {submitted}, 草稿 {draft}, 已退回 {returned}, 未填 {empty} "
                     "(学校年报)",
                     "{year}: {n} schools expected; submitted {submitted}, draft {draft}, returned {returned}, "
                     "not filled {empty} (school report)"),
    "subs_missing": ("未提交的学校 (催报名单)", "Schools that have not submitted (who to call)"),
    "rv_schools_waiting": ("还有 {n} 所学校未提交自己的填报: {names}。请等学校提交, 或写明原因后上报。",
                           "{n} schools have not submitted their own reports: {names}. Wait for them, or give the "
                           "reason below."),
    "rv_schools_reason": ("学校未全部提交的原因 (记入审核历史)",
                          "Why not every school has submitted (kept in the history)"),
    "subs_figures": ("学校填报的数值", "A school's figures"),
    "subs_file": ("未提交学校", "schools_not_submitted"),
    "subs_all_submitted": ("每所应报学校都已提交。", "Every expected school has submitted."),
    "subs_return": ("退回学校的提交", "Return a school's submission"),
    "subs_reason": ("退回原因 (必填, 学校可见)", "Reason (required, shown to the school)"),
    "subs_return_button": ("退回", "Return"),
    "subs_returned": ("已退回 {school}: 学校可修改后重新提交。", "Returned to {school}: the school can correct and "
                      "resubmit."),
    "state_empty": ("未填", "Not filled"),
    "state_draft": ("草稿", "Draft"),
    "state_submitted": ("已提交", "Submitted"),
    "state_returned": ("已退回", "Returned"),
    # Exports
    "gis_title": ("下载地图图层 (GIS): 每个单位的代码、名称、数值、状态、目标和还需数量, 可在 ArcGIS / QGIS 中打开",
                  "Download the map layer (GIS): each unit's code, name, value, status, target and shortfall, "
                  "for ArcGIS / QGIS"),
    "gis_download": ("下载地图图层", "Download the map layer"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    "download_png": ("下载 PNG", "Download PNG"),
    "download_pptx": ("下载 PPTX", "Download PPTX"),
    "download_pdf": ("下载 PDF", "Download PDF"),
    "image_size": ("图片尺寸", "Image size"),
    "render_png": ("生成幻灯片图片 (PNG)", "Render slide image (PNG)"),
    "rendering": ("正在服务器端渲染图片…", "Rendering the image on the server…"),
    "with_pdf": ("同时生成 PDF", "Also make a PDF"),
    "build_pack": ("生成会议材料 (PPTX)", "Build meeting pack (PPTX)"),
    "pack_started": ("开始生成…", "Starting…"),
    "pack_done": ("完成: {n} 页", "Done: {n} slides"),
    # 审核 (review page)
    "review": ("审核", "Review"),
    "rv_needs_account": ("审核页面须以填报员、审核员或管理员账号登录。",
                         "The review page needs a reporter, reviewer or administrator account."),
    "rv_state_open": ("填报中", "Open"),
    "rv_state_submitted": ("已上报", "Submitted"),
    "rv_state_returned": ("已退回", "Returned"),
    "rv_state_approved": ("已审核", "Approved"),
    "rv_completeness": ("完整性", "Completeness"),
    "rv_open_warnings": ("未说明的经验校验提示", "Unexplained plausibility warnings"),
    "rv_warnings": ("提示", "Warnings"),
    "rv_deadline": ("截止日期", "Deadline"),
    "rv_no_deadline": ("未设截止日期", "no deadline"),
    "rv_days_left": ("还有 {n} 天", "{n} days left"),
    "rv_due_today": ("今天截止", "due today"),
    "rv_overdue": ("已逾期 {n} 天", "{n} days overdue"),
    "rv_days_col": ("距截止", "To deadline"),
    "rv_return_reason": ("退回原因: ", "Reason for return: "),
    "rv_reason": ("原因", "Reason"),
    "rv_submit": ("提交", "Submit"),
    "rv_submit_title": ("提交 {kind}", "Submit {kind}"),
    "rv_submit_note": ("提交后本县(区)该年度该类上报即被锁定, 不能再导入或撤销, 直到上级退回。",
                       "Once submitted, this county's report of that year and type is locked (no import or undo) "
                       "until the level above returns it."),
    "rv_explain_each": ("说明 (第 {n} 条提示)", "Explanation (warning {n})"),
    "rv_explain_all": ("总说明 (适用于所有未单独说明的提示)", "One explanation for all warnings not explained above"),
    "rv_confirm": ("我确认上报的数据已核对无误", "I confirm the figures have been checked"),
    "rv_confirm_needed": ("请先勾选确认。", "Please tick the confirmation first."),
    "rv_submitted_ok": ("已提交。", "Submitted."),
    "rv_done": ("已完成: {action}", "Done: {action}"),
    "rv_counties_title": ("各县(区)上报与审核", "Counties: reports and review"),
    "rv_cities_title": ("各市审核 (省级确认)", "Cities (province confirmation)"),
    "rv_cities_counties": ("县(区)已审核", "Counties approved"),
    "rv_open_map": ("地图", "Map"),
    "rv_open_map_link": ("打开地图", "open map"),
    "rv_act": ("审核操作", "Review action"),
    "rv_unit": ("单位", "Unit"),
    "rv_action": ("操作", "Action"),
    "rv_approve": ("审核通过", "Approve"),
    "rv_return": ("退回", "Return"),
    "rv_withdraw": ("取消审核", "Withdraw approval"),
    "rv_confirm_city": ("确认 (省级)", "Confirm (province)"),
    "rv_withdraw_city": ("取消确认 (省级)", "Withdraw confirmation (province)"),
    "rv_run": ("执行", "Apply"),
    "rv_reason_required": ("退回和取消审核须填写原因。", "A return or withdrawal needs a reason."),
    "rv_deadlines_title": ("截止日期", "Deadlines"),
    "rv_set_deadline": ("设置截止日期", "Set deadline"),
    "rv_deadline_for": ("{region}: 各县(区)须在此日期前提交", "{region}: counties must submit by this date"),
    "rv_deadline_set": ("截止日期已保存。", "Deadline saved."),
    "rv_remove_deadline": ("删除截止日期", "Remove deadline"),
    "rv_overdue_title": ("逾期未提交", "Overdue, not submitted"),
    "rv_none_overdue": ("没有逾期未提交的县(区)。", "No county is overdue."),
    "rv_reminders_title": ("催报名单", "Reminder list"),
    "rv_reminders_note": ("截止日期已过仍未提交的县(区), 含该县填报账号, 可下载后电话或公文催报 (不发送邮件)。",
                          "Counties past the deadline that have not submitted, with their reporter accounts, to "
                          "call or write to (no e-mail is sent)."),
    "rv_history_title": ("审核记录", "Review history"),
    "rv_no_history": ("尚无审核记录。", "No review history yet."),
    "rv_no_counties": ("所选地区没有纳入审核的县(区)。", "No county of the chosen area is under review."),
    "rv_my_county": ("{county} · {year} 各类上报", "{county} · {year}: reports"),
    "rv_warning_table": ("经验校验提示", "Plausibility warnings"),
    "rv_submitted_by": ("上报人", "Submitted by"),
    "rv_last": ("最近操作", "Last action"),
    "rv_reporters": ("填报账号", "Reporter accounts"),
    "rv_reporter_names": ("填报人", "Reporters"),
    "rv_missing": ("缺少", "Missing"),
    "rv_days_overdue": ("逾期天数", "Days overdue"),
    "rv_overdue_counties": ("逾期未提交的县(区): {n}", "Counties overdue: {n}"),
}

# Stage and report-type labels in English (the Chinese ones live in data_access.vocab / importing.spec).
STAGES_EN: dict[str, str] = {
    "primary": "Primary", "junior_secondary": "Junior secondary", "nine_year": "Nine-year school",
    "senior_high": "Senior high", "complete_secondary": "Complete secondary", "twelve_year": "Twelve-year school",
    "secondary_vocational": "Secondary vocational", "university": "University",
}
# Column headers of the importer's tables; the cells quote the Chinese template and stay as they are.
TABLE_HEADERS_EN: dict[str, str] = {
    "文件": "File", "工作表": "Sheet", "行": "Row", "列": "Column", "值": "Value", "问题": "Problem",
    "单位代码": "Unit code", "年度": "Year", "操作": "Action", "项目": "Item", "原值": "Old value", "新值": "New value",
    "时间(北京)": "Time (Beijing)", "导入人": "Imported by", "类型": "Type", "结果": "Result", "新增": "Added",
    "修改": "Changed", "不变": "Unchanged", "问题数": "Problems", "说明": "Note", "批次": "Batch",
    "上次上报年度": "Previous report", "提示": "Warning", "规则": "Rule",
    "学校标识码": "School code", "学校名称": "School", "学校年报": "School report", "知晓率调查": "Survey",
    "最后修改(北京)": "Last change (Beijing)", "修改人": "By", "未处理提示": "Open warnings", "已填项": "Filled",
    "退回原因": "Return reason",
    "数值": "Value",
    "报表": "Report", "原状态": "From", "新状态": "To", "操作人": "By", "原因/说明": "Reason / note",
}
UNIT_NOUNS_EN: dict[str, str] = {"school": "schools", "survey": "schools", "hospital": "hospitals",
                                 "community": "communities", "region": "counties"}
REPORT_TYPES_EN: dict[str, str] = {
    "school": "School annual report", "survey": "Awareness survey", "hospital": "Hospital clinics",
    "community": "Community parent schools / stations", "region": "County population and psychiatrists",
}


# The entry form's fields in English: label and help (Chinese ones come from importing/spec.py).
ENTRY_FIELDS_EN: dict[str, tuple[str, str]] = {
    "enrollment": ("Students enrolled", "All students enrolled this year."),
    "boarding_students": ("Boarders", "Students living at school; not more than the students enrolled."),
    "fulltime_teachers": ("Full-time MH teachers", "Teachers working full-time on mental-health education."),
    "parttime_teachers": ("Part-time MH teachers", "Teachers doing mental-health education part-time."),
    "counseling_room": ("Counseling room up to standard", "A counseling room built to the standard: yes / no."),
    "mh_in_school_plan": ("MH in the school plan", "Mental-health education is in the school's development plan."),
    "mh_course": ("Compulsory MH course", "Universities: a compulsory mental-health course (schools may leave it "
                  "blank)."),
    "screening_done": ("Screening done this year", "Students' mental health was screened this school year."),
    "students_screened": ("Students screened", "Not more than the students enrolled."),
    "fulltime_training_hours": ("Training hours, full-time teachers", "Sum of all full-time MH teachers' training "
                                "hours this year."),
    "parttime_training_hours": ("Training hours, part-time teachers", "Sum of all part-time MH teachers' training "
                                "hours this year."),
    "surveyed": ("Students surveyed", "Students who took the core-knowledge survey."),
    "passed": ("Students passing", "Students who passed; not more than those surveyed."),
}
UNITS_EN: dict[str, str] = {"人": "persons", "学时": "hours", "年": "year"}


def t(key: str) -> str:
    zh, en = STRINGS[key]
    return en if st.session_state.get(LANG) == "en" else zh


def lang() -> str:
    return "en" if st.session_state.get(LANG) == "en" else "zh"


def year_label(year: int) -> str:
    """"2024年" in Chinese, "2024" in English."""
    return f"{year}" if lang() == "en" else f"{year}年"


def days_text(days: object) -> str:
    """Days to a review deadline, or past it (the completeness and review pages)."""
    if days is None or pd.isna(days):
        return t("rv_no_deadline")
    days = int(days)
    if days < 0:
        return t("rv_overdue").format(n=-days)
    return t("rv_due_today") if days == 0 else t("rv_days_left").format(n=days)


def stage_name(code: str) -> str:
    return STAGES_EN.get(code, code) if lang() == "en" else STAGES.get(code, code)


def headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The importer's tables (issues, changes, history) with English column headers in English mode."""
    return frame.rename(columns=TABLE_HEADERS_EN) if lang() == "en" else frame


def unit_noun(report_type: str) -> str:
    """What a report type's units are called ("学校", "schools")."""
    return UNIT_NOUNS_EN.get(report_type, report_type) if lang() == "en" else REPORT_TYPES[report_type].unit_noun


def report_type_name(key: str) -> str:
    return REPORT_TYPES_EN.get(key, key) if lang() == "en" else REPORT_TYPES[key].name_zh
