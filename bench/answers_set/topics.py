# ruff: noqa: E501  (the set's sentences are kept whole, one per line)
"""The topics of the answers benchmark, written for it (issue 39): for each, a resolved ticket
in English and one in Chinese (as an agent would have closed them), sometimes an article, and
the words people use when they ask about it again: subjects and problems, combined with the
frames in `make_set.py`. Queries are phrased on purpose unlike the tickets that answer them.

`UNANSWERED` are requests the knowledge base has nothing for; several share words with topics
that it does know (a laptop, email, a password), which is what makes false suggestions likely.
"""

from __future__ import annotations

from typing import Any

Topic = dict[str, Any]

TOPICS: list[Topic] = [
    {
        "key": "vpn_drop",
        "en": (
            "GlobalProtect disconnects every 10 minutes when working from home",
            "Updated GlobalProtect to 6.2 and switched the portal to vpn2.corp; the tunnel stays up now.",
        ),
        "zh": (
            "在家办公时 GlobalProtect 每隔十分钟就断线",
            "把 GlobalProtect 升级到 6.2，门户改成 vpn2.corp 之后连接稳定了。",
        ),
        "article": (
            "VPN keeps disconnecting",
            "If the VPN tunnel drops, update GlobalProtect and use the vpn2 portal.",
        ),
        "q_en": (
            ["my VPN", "the VPN connection", "GlobalProtect", "the vpn tunnel"],
            [
                "keeps dropping",
                "disconnects all the time",
                "won't stay connected",
                "cuts out every few minutes",
            ],
        ),
        "q_zh": (
            ["VPN", "公司的VPN", "GlobalProtect"],
            ["老是断开", "经常掉线", "连上一会儿就断", "总是自动断开连接"],
        ),
    },
    {
        "key": "password_reset",
        "en": (
            "Forgot my Windows password and I'm locked out of the laptop",
            "Reset the AD password and sent a temporary one; change it at next sign-in via Ctrl+Alt+Del.",
        ),
        "zh": ("忘记了电脑开机密码，进不去系统", "已在域控重置密码并发了临时密码，下次登录时按提示修改。"),
        "q_en": (
            ["my password", "my login password", "the windows password"],
            [
                "was forgotten and I can't sign in",
                "needs a reset",
                "doesn't work anymore, locked out",
                "expired and I forgot it",
            ],
        ),
        "q_zh": (
            ["登录密码", "电脑密码", "开机密码"],
            ["忘了", "需要重置", "输错太多次被锁定了", "过期了登录不了"],
        ),
    },
    {
        "key": "printer_jam",
        "en": (
            "Printer on floor 3 says paper jam but there is no paper stuck",
            "Opened the rear tray of the 3rd floor printer, removed a torn scrap behind the fuser, power cycled.",
        ),
        "zh": ("三楼打印机提示卡纸，但是看不到纸", "打开三楼打印机后盖，取出定影器后面的碎纸，重启后正常。"),
        "q_en": (
            ["the printer on 3", "the third floor printer", "the printer near the kitchen"],
            ["shows a paper jam", "is jammed", "keeps saying paper jam", "has a jam error and won't print"],
        ),
        "q_zh": (
            ["三楼的打印机", "打印机", "茶水间旁边的打印机"],
            ["卡纸了", "一直提示卡纸", "显示卡纸打不出来"],
        ),
    },
    {
        "key": "outlook_calendar",
        "en": (
            "Outlook calendar on my phone stopped syncing with the desktop",
            "Removed and re-added the Exchange account in the iOS Mail settings; calendar sync resumed.",
        ),
        "zh": (
            "手机上的 Outlook 日历和电脑不同步了",
            "在手机设置里删除并重新添加 Exchange 账户后日历恢复同步。",
        ),
        "q_en": (
            ["my outlook calendar", "the calendar on my phone", "meetings on my iphone calendar"],
            ["is not syncing", "don't show up", "stopped updating", "is out of sync with my laptop"],
        ),
        "q_zh": (["手机日历", "Outlook日历", "手机上的会议"], ["不同步", "不更新了", "看不到新的会议"]),
    },
    {
        "key": "mfa_new_phone",
        "en": (
            "Got a new phone, the Authenticator app no longer has my MFA codes",
            "Cleared the old MFA registration in Entra ID; re-register at aka.ms/mfasetup with the new phone.",
        ),
        "zh": (
            "换了新手机，Authenticator 里没有多因素验证码了",
            "已清除旧的 MFA 注册，请用新手机访问 aka.ms/mfasetup 重新注册。",
        ),
        "q_en": (
            ["two factor authentication", "MFA", "the authenticator app", "2FA"],
            [
                "broke after I switched phones",
                "doesn't work on my new phone",
                "codes are gone after a phone change",
            ],
        ),
        "q_zh": (
            ["多因素认证", "二次验证", "Authenticator"],
            ["换手机后用不了", "在新手机上没有验证码", "换了手机登不上"],
        ),
    },
    {
        "key": "wifi_guest",
        "en": (
            "Visitor needs WiFi access in the meeting room",
            "Guest WiFi is CORP-GUEST; the reception desk prints a daily voucher code for visitors.",
        ),
        "zh": ("访客在会议室需要连无线网", "访客网络是 CORP-GUEST，前台每天打印访客上网券。"),
        "q_en": (
            ["a guest", "our visitor", "a client visiting today"],
            [
                "needs wifi",
                "can't get on the wireless",
                "wants internet access",
                "needs the guest network password",
            ],
        ),
        "q_zh": (["访客", "来访的客户", "外部客人"], ["需要连WiFi", "上不了网", "要无线网密码"]),
    },
    {
        "key": "slack_notifications",
        "en": (
            "Not getting Slack notifications on the Mac desktop app",
            "macOS Focus mode was on; enabled Slack under System Settings > Notifications and turned Focus off.",
        ),
        "zh": (
            "Mac 上的 Slack 桌面版收不到通知",
            "系统开了专注模式；在系统设置的通知里允许 Slack 并关闭专注模式。",
        ),
        "q_en": (
            ["Slack", "slack on my mac", "the slack app"],
            ["doesn't notify me", "notifications stopped", "is silent, no alerts", "no longer pings me"],
        ),
        "q_zh": (["Slack", "Mac上的Slack", "Slack桌面版"], ["没有通知", "收不到消息提醒", "通知不响了"]),
    },
    {
        "key": "laptop_slow",
        "en": (
            "Laptop extremely slow after the latest Windows update",
            "The update left the search indexer stuck; rebuilt the index and cleared 40 GB in the Windows temp folder.",
        ),
        "zh": ("Windows 更新之后笔记本特别慢", "更新后搜索索引卡住，重建索引并清理了四十G的临时文件。"),
        "q_en": (
            ["my laptop", "the notebook", "my computer"],
            [
                "is super slow since the update",
                "crawls after updating windows",
                "got really sluggish after patching",
            ],
        ),
        "q_zh": (
            ["笔记本", "电脑", "我的笔记本电脑"],
            ["更新后很卡", "升级系统以后变得特别慢", "打完补丁运行缓慢"],
        ),
    },
    {
        "key": "shared_drive",
        "en": (
            "Cannot access the Finance shared drive (S:)",
            "Added you to the FIN-Share-RW group; sign out and back in for the S: drive to map.",
        ),
        "zh": ("打不开财务共享盘（S盘）", "已把你加入 FIN-Share-RW 组，注销重新登录后 S 盘会自动映射。"),
        "q_en": (
            ["the finance share", "the S drive", "the shared finance folder"],
            ["says access denied", "won't open", "isn't showing up", "I have no permission to"],
        ),
        "q_zh": (["财务共享盘", "S盘", "财务的共享文件夹"], ["没有权限", "打不开", "访问被拒绝", "看不到"]),
    },
    {
        "key": "monitor_dock",
        "en": (
            "External monitors not detected through the USB-C dock",
            "Updated the Dell dock firmware and the DisplayLink driver; both screens come up now.",
        ),
        "zh": (
            "通过 USB-C 扩展坞接的外接显示器没有信号",
            "更新了戴尔扩展坞固件和 DisplayLink 驱动，两个屏幕都亮了。",
        ),
        "q_en": (
            ["my second screen", "the external monitor", "the monitors on my docking station"],
            ["stays black", "isn't detected", "shows no signal", "doesn't work with the dock"],
        ),
        "q_zh": (["外接显示器", "第二个屏幕", "扩展坞上的显示器"], ["没信号", "不亮", "识别不到", "黑屏"]),
    },
    {
        "key": "software_install",
        "en": (
            "Need Tableau Desktop installed, no admin rights",
            "Tableau Desktop is in Company Portal; install it from there, the licence is assigned automatically.",
        ),
        "zh": (
            "需要安装 Tableau Desktop，没有管理员权限",
            "Tableau Desktop 在公司门户里，可以直接安装，许可证会自动分配。",
        ),
        "q_en": (
            ["Tableau", "tableau desktop", "the Tableau app"],
            [
                "needs installing on my laptop",
                "- how do I install it",
                "install request",
                "can't install it without admin",
            ],
        ),
        "q_zh": (["Tableau", "Tableau软件"], ["怎么安装", "需要装一下", "没有管理员权限装不了"]),
    },
    {
        "key": "email_quota",
        "en": (
            "Mailbox full warning, cannot send emails",
            "Enabled the online archive; mail older than a year moves there and the mailbox is at 60% now.",
        ),
        "zh": (
            "邮箱提示已满，发不出邮件",
            "已开启在线存档，一年以前的邮件会自动归档，邮箱现在用了百分之六十。",
        ),
        "q_en": (
            ["my mailbox", "outlook", "my inbox"],
            ["is full and won't send", "says over quota", "ran out of space", "warns storage is full"],
        ),
        "q_zh": (["邮箱", "Outlook邮箱", "我的邮箱"], ["满了", "空间不足发不了邮件", "提示超出配额"]),
    },
    {
        "key": "zoom_audio",
        "en": (
            "Nobody can hear me in Zoom meetings with my headset",
            "Zoom was using the laptop mic; picked the Jabra headset under Audio settings and disabled auto-adjust.",
        ),
        "zh": (
            "开 Zoom 会议时别人听不到我说话",
            "Zoom 用的是笔记本麦克风；在音频设置里选择 Jabra 耳机并关闭自动调节音量。",
        ),
        "q_en": (
            ["in zoom", "on zoom calls", "in my zoom meeting"],
            [
                "people can't hear me",
                "my microphone doesn't work",
                "the headset mic is silent",
                "others hear nothing",
            ],
        ),
        "q_zh": (
            ["Zoom会议", "开Zoom的时候", "Zoom里"],
            ["别人听不到我", "麦克风没声音", "耳机说话对方听不见"],
        ),
    },
    {
        "key": "badge_access",
        "en": (
            "My door badge stopped opening the office entrance",
            "The badge had expired with the contract renewal; security reactivated it until 2027.",
        ),
        "zh": ("门禁卡刷不开办公室大门", "合同续签后门禁卡过期了，安保已重新激活到二〇二七年。"),
        "q_en": (
            ["my badge", "my access card", "the door card"],
            ["doesn't open the doors", "stopped working", "gets a red light at the entrance"],
        ),
        "q_zh": (["门禁卡", "工牌", "门卡"], ["刷不开门", "失效了", "刷卡亮红灯"]),
    },
    {
        "key": "jira_access",
        "en": (
            "Need access to the PAY project in Jira",
            "Added you to jira-pay-developers; the PAY board shows after you reload Jira.",
        ),
        "zh": (
            "需要开通 Jira 里 PAY 项目的权限",
            "已把你加入 jira-pay-developers 组，刷新 Jira 后就能看到 PAY 看板。",
        ),
        "q_en": (
            ["the PAY jira project", "jira PAY", "the payments board in jira"],
            ["- I need access", "is not visible to me", "says I don't have permission"],
        ),
        "q_zh": (["Jira的PAY项目", "Jira PAY看板"], ["没有权限", "看不到", "需要开通访问"]),
    },
    {
        "key": "excel_crash",
        "en": (
            "Excel crashes when opening large spreadsheets",
            "Disabled the faulty Bloomberg add-in under File > Options > Add-ins; Excel opens the files now.",
        ),
        "zh": (
            "打开大的表格时 Excel 崩溃",
            "在 文件-选项-加载项 里禁用了有问题的彭博加载项，现在可以正常打开。",
        ),
        "q_en": (
            ["excel", "microsoft excel", "my spreadsheets"],
            ["keeps crashing", "closes by itself when I open a big file", "freezes and quits"],
        ),
        "q_zh": (["Excel", "表格文件"], ["一打开就崩溃", "闪退", "自己关掉了"]),
    },
    {
        "key": "github_sso",
        "en": (
            "GitHub says my SSO session for the org is not authorized",
            "Re-authorised your personal access token for SSO under Settings > Developer settings > Configure SSO.",
        ),
        "zh": (
            "GitHub 提示组织的 SSO 会话未授权",
            "在 设置-开发者设置 中为个人访问令牌重新配置 SSO 授权即可。",
        ),
        "q_en": (
            ["git push to github", "my github token", "github"],
            [
                "fails with an SSO error",
                "is rejected, single sign-on not authorized",
                "gives 403 saml enforcement",
            ],
        ),
        "q_zh": (["GitHub", "git推送", "GitHub令牌"], ["提示SSO未授权", "报403错误", "单点登录失败"]),
    },
    {
        "key": "phone_expense",
        "en": (
            "How do I claim my mobile phone bill?",
            "Submit the monthly phone bill in Concur under the 'Mobile' expense type, up to 50 EUR.",
        ),
        "zh": ("手机话费怎么报销？", "每月话费在 Concur 里选 Mobile 费用类型提交，上限五十欧元。"),
        "q_en": (
            ["my phone bill", "the mobile phone costs", "my cell plan"],
            ["- how do I get reimbursed", "reimbursement", "can I expense it"],
        ),
        "q_zh": (["话费", "手机费用"], ["怎么报销", "可以报销吗", "在哪里提交报销"]),
    },
    {
        "key": "onboarding_laptop",
        "en": (
            "New starter on Monday needs a laptop and accounts",
            "Raise the New Joiner form in Workday a week ahead; IT prepares the laptop and accounts from it.",
        ),
        "zh": (
            "周一有新同事入职，需要电脑和账号",
            "请提前一周在 Workday 提交入职申请，IT 会据此准备电脑和账号。",
        ),
        "q_en": (
            ["a new hire", "our new team member", "someone joining next week"],
            ["needs a computer and logins", "needs equipment set up", "- what do I do for their laptop"],
        ),
        "q_zh": (
            ["新员工", "新入职的同事", "下周来的新人"],
            ["需要电脑和账号", "要准备设备", "入职要配电脑"],
        ),
    },
    {
        "key": "teams_camera",
        "en": (
            "Camera not working in Microsoft Teams, black video",
            "Windows privacy settings blocked the camera for desktop apps; allowed camera access and restarted Teams.",
        ),
        "zh": (
            "Teams 里摄像头不工作，画面是黑的",
            "Windows 隐私设置禁止了桌面应用使用摄像头，打开权限后重启 Teams 就好了。",
        ),
        "q_en": (
            ["my webcam in teams", "the teams camera", "video in teams"],
            ["shows black", "isn't working", "can't be found", "doesn't turn on"],
        ),
        "q_zh": (["Teams摄像头", "Teams视频", "开会的摄像头"], ["黑屏", "打不开", "不能用"]),
    },
    {
        "key": "disk_full",
        "en": (
            "C: drive almost full, low disk space warnings",
            "Moved the Downloads folder to OneDrive Files On-Demand and ran Storage Sense; 80 GB free now.",
        ),
        "zh": (
            "C 盘快满了，一直提示磁盘空间不足",
            "把下载文件夹移到 OneDrive 按需文件并运行了存储感知，现在空出八十G。",
        ),
        "q_en": (
            ["my C drive", "the hard disk", "disk space on my laptop"],
            ["is full", "is running out", "keeps warning low space"],
        ),
        "q_zh": (["C盘", "硬盘", "电脑磁盘"], ["满了", "空间不够", "一直提示空间不足"]),
    },
    {
        "key": "salesforce_locked",
        "en": (
            "Salesforce account locked after too many login attempts",
            "Unlocked the Salesforce user and reset the password; sign in through Okta instead of the direct URL.",
        ),
        "zh": (
            "Salesforce 登录失败次数太多，账号被锁",
            "已解锁 Salesforce 用户并重置密码，请通过 Okta 登录而不是直接网址。",
        ),
        "q_en": (
            ["salesforce", "my salesforce login", "SFDC"],
            ["locked me out", "account is locked", "won't let me log in anymore"],
        ),
        "q_zh": (["Salesforce", "Salesforce账号"], ["被锁了", "登录不了", "锁定了"]),
    },
    {
        "key": "printer_driver",
        "en": (
            "How do I add the office printer on my Mac?",
            "Open System Settings > Printers, add FollowMe-Print via IP 10.2.0.50 with the PaperCut driver.",
        ),
        "zh": (
            "Mac 怎么添加办公室打印机？",
            "打开系统设置-打印机，用 IP 10.2.0.50 添加 FollowMe-Print，驱动选 PaperCut。",
        ),
        "article": (
            "Printing from a Mac",
            "Add FollowMe-Print on 10.2.0.50 with the PaperCut driver, then release at any printer.",
        ),
        "q_en": (
            ["the office printer", "a printer", "FollowMe print"],
            ["on my macbook - how to set up", "isn't in my list on mac", "- how do I add it on macOS"],
        ),
        "q_zh": (["打印机", "办公室的打印机"], ["在Mac上怎么添加", "苹果电脑上找不到", "Mac上怎么设置"]),
    },
    {
        "key": "okta_push",
        "en": (
            "Okta Verify push notifications never arrive",
            "Battery optimisation was killing Okta Verify; exempted it on Android and re-enrolled the device.",
        ),
        "zh": (
            "收不到 Okta Verify 的推送通知",
            "安卓电池优化把 Okta Verify 关掉了，设为不优化并重新注册设备即可。",
        ),
        "q_en": (
            ["okta verify", "the okta push", "okta"],
            ["never shows the prompt", "notifications don't arrive", "push isn't coming through"],
        ),
        "q_zh": (["Okta Verify", "Okta推送"], ["收不到", "不弹出", "没有推送"]),
    },
    {
        "key": "payslip",
        "en": (
            "Where can I find my payslips?",
            "Payslips are in Workday under Pay > Payslips; older ones than 2024 are in the ADP archive.",
        ),
        "zh": ("在哪里可以看工资条？", "工资条在 Workday 的 薪酬-工资单 里，二〇二四年以前的在 ADP 存档中。"),
        "q_en": (
            ["my payslip", "my salary statement", "last month's pay slip"],
            ["- where is it", "- I can't find it", "- how do I download it"],
        ),
        "q_zh": (["工资条", "工资单", "上个月的工资明细"], ["在哪看", "找不到", "怎么下载"]),
    },
    {
        "key": "keyboard_mouse",
        "en": (
            "Wireless keyboard and mouse stopped responding",
            "Replaced the batteries and re-paired the Logitech Unifying receiver; also moved it to a front USB port.",
        ),
        "zh": ("无线键盘和鼠标没反应了", "换了电池并重新配对罗技接收器，把接收器插到前面的 USB 口。"),
        "q_en": (
            ["my wireless mouse", "the bluetooth keyboard", "my keyboard"],
            ["stopped working", "doesn't respond", "is dead"],
        ),
        "q_zh": (["无线鼠标", "键盘", "无线键盘"], ["没反应", "不能用了", "失灵"]),
    },
    {
        "key": "browser_cert",
        "en": (
            "Chrome shows 'your connection is not private' on the intranet",
            "The internal root certificate was missing; pushed the CorpRootCA via Intune and restarted Chrome.",
        ),
        "zh": (
            "访问内网时 Chrome 提示“您的连接不是私密连接”",
            "缺少内部根证书，已通过 Intune 推送 CorpRootCA，重启 Chrome 即可。",
        ),
        "q_en": (
            ["the intranet", "internal sites in chrome", "the wiki"],
            ["shows a certificate warning", "says connection not private", "gives an SSL error"],
        ),
        "q_zh": (["内网", "公司内部网站"], ["提示证书错误", "显示不是私密连接", "SSL报错"]),
    },
    {
        "key": "distribution_list",
        "en": (
            "Please add me to the all-berlin email distribution list",
            "Added you to all-berlin@; you can manage your lists yourself in the Groups tab of Outlook.",
        ),
        "zh": (
            "请把我加到 all-berlin 邮件组",
            "已把你加入 all-berlin@，以后可以在 Outlook 的 群组 里自己管理。",
        ),
        "q_en": (
            ["the berlin mailing list", "an email group", "the all-berlin list"],
            ["- please add me", "- I'm not receiving its emails", "membership request"],
        ),
        "q_zh": (["邮件组", "柏林的邮件列表"], ["把我加进去", "收不到群发邮件", "申请加入"]),
    },
    {
        "key": "vpn_install_linux",
        "en": (
            "Is there a VPN client for Ubuntu?",
            "Use the openconnect package with --protocol=gp against vpn2.corp; the GlobalProtect Linux client also works.",
        ),
        "zh": (
            "Ubuntu 有没有 VPN 客户端？",
            "用 openconnect 并加 --protocol=gp 连接 vpn2.corp，也可以用 GlobalProtect 的 Linux 版。",
        ),
        "q_en": (
            ["VPN on linux", "the vpn on ubuntu", "vpn for my linux laptop"],
            ["- how do I set it up", "- which client", "isn't supported?"],
        ),
        "q_zh": (["Linux上的VPN", "Ubuntu连VPN"], ["怎么配置", "用什么客户端", "支持吗"]),
    },
    {
        "key": "meeting_room_screen",
        "en": (
            "The TV in meeting room Orion won't show my laptop over HDMI",
            "The Orion TV input was on HDMI2; set it to HDMI1 and replaced the loose adapter with a new one.",
        ),
        "zh": ("猎户座会议室的电视用 HDMI 投不了屏", "电视输入源停在 HDMI2，改成 HDMI1 并换了松动的转接头。"),
        "q_en": (
            ["the screen in Orion", "the meeting room TV", "presenting in the Orion room"],
            ["doesn't show my laptop", "says no signal with hdmi", "won't display anything"],
        ),
        "q_zh": (["会议室电视", "猎户座会议室的屏幕"], ["投屏没反应", "HDMI没信号", "不显示电脑画面"]),
    },
    {
        "key": "lost_laptop",
        "en": (
            "I lost my laptop on the train",
            "Wiped and locked the device remotely in Intune and reported it to security; a loaner is at the IT bar.",
        ),
        "zh": (
            "我把笔记本电脑落在火车上了",
            "已通过 Intune 远程锁定并清除设备，并报告安保；IT 服务台有备用机。",
        ),
        "q_en": (
            ["my laptop", "my work computer", "my macbook"],
            ["was stolen", "is lost", "got left in a taxi"],
        ),
        "q_zh": (["笔记本电脑", "工作电脑"], ["丢了", "被偷了", "落在出租车上了"]),
    },
    {
        "key": "onedrive_sync",
        "en": (
            "OneDrive stuck on 'processing changes' for days",
            "Reset OneDrive with onedrive.exe /reset and removed a file with an invalid name (ending in a dot).",
        ),
        "zh": (
            "OneDrive 一直显示“正在处理更改”好几天了",
            "用 onedrive.exe /reset 重置，并删除了一个以点结尾的非法文件名。",
        ),
        "q_en": (
            ["OneDrive", "my onedrive files", "onedrive sync"],
            ["isn't syncing", "is stuck", "never finishes processing changes"],
        ),
        "q_zh": (["OneDrive", "OneDrive同步"], ["不同步", "卡住了", "一直在处理更改"]),
    },
    {
        "key": "parking",
        "en": (
            "How do I get a parking spot at the office?",
            "Parking is booked in the Spaces app one week ahead; EV chargers are on level -2.",
        ),
        "zh": ("公司停车位怎么申请？", "停车位在 Spaces 应用里提前一周预订，充电桩在负二层。"),
        "q_en": (
            ["a parking space", "car park", "parking at HQ"],
            ["- how do I book one", "- can I reserve it", "for tomorrow?"],
        ),
        "q_zh": (["停车位", "公司停车"], ["怎么预订", "能申请吗", "在哪里订"]),
    },
    {
        "key": "adobe_license",
        "en": (
            "Adobe Acrobat asks me to sign in and says no licence",
            "Assigned an Acrobat Pro licence in the Adobe admin console; sign in with your company email via SSO.",
        ),
        "zh": (
            "Adobe Acrobat 要求登录并提示没有许可证",
            "已在 Adobe 管理后台分配 Acrobat Pro 许可证，用公司邮箱通过 SSO 登录。",
        ),
        "q_en": (
            ["Acrobat", "adobe pdf editor", "Adobe"],
            ["says my licence expired", "wants a subscription", "is asking for a license"],
        ),
        "q_zh": (["Adobe", "Acrobat", "PDF编辑器"], ["提示没有许可证", "要求订阅", "授权过期"]),
    },
    {
        "key": "phishing",
        "en": (
            "I clicked a link in a suspicious email asking for my password",
            "Reset your password and revoked sessions; forward suspicious mail with the Report Phish button.",
        ),
        "zh": (
            "我点了一封可疑邮件里要求输入密码的链接",
            "已重置密码并注销所有会话；可疑邮件请用“报告钓鱼”按钮转发。",
        ),
        "q_en": (
            ["a phishing email", "a suspicious email", "a weird email with a link"],
            ["- I clicked it", "- what should I do", "asked for my login"],
        ),
        "q_zh": (["钓鱼邮件", "可疑邮件"], ["点了链接怎么办", "要我输密码", "怎么举报"]),
    },
    {
        "key": "sound_bluetooth",
        "en": (
            "AirPods connect to my laptop but there's no sound",
            "Windows picked the hands-free profile; set 'AirPods Stereo' as the default output device.",
        ),
        "zh": (
            "AirPods 连上电脑了但是没有声音",
            "Windows 选了免提模式，把“AirPods 立体声”设为默认输出设备。",
        ),
        "q_en": (
            ["my airpods", "bluetooth headphones", "my earbuds"],
            ["have no audio on the laptop", "connect but play nothing", "sound terrible and mono"],
        ),
        "q_zh": (["蓝牙耳机", "AirPods"], ["连上没声音", "声音很差", "电脑上听不到"]),
    },
]

UNANSWERED_EN = [
    "Can I bring my dog to the office on Fridays?",
    "The coffee machine on floor 2 is leaking water",
    "Who approves my holiday request while my manager is away?",
    "I'd like a standing desk for my back",
    "How do I book a meeting room for 20 people next Tuesday?",
    "Our team wants a new Slack channel for the Paris launch, who creates it?",
    "The air conditioning in room 4.12 is too cold",
    "Can IT record a training video for our onboarding?",
    "My laptop bag strap broke, can I order a new bag?",
    "What is the policy for using personal email on the work laptop?",
    "I need a quote for 30 new monitors for the Madrid office",
    "Please update my job title in the company directory",
    "Is there a discount for gym membership?",
    "The lift in building B is making a grinding noise",
    "Can I get a second phone number for customer calls?",
    "We need an interpreter for the Tokyo visit",
    "How many days of remote work are allowed abroad?",
    "Can I install a game on my company laptop during lunch?",
    "Someone left a password written on a sticky note in the kitchen",
    "Can the team get a bigger budget for conference travel?",
    "The office plants need watering while I'm on holiday",
    "Please translate our privacy policy into German",
    "I want to change my bank account for salary payments",
    "What time does the canteen close?",
    "Could we get a whiteboard in the Orion room?",
    "My chair is broken and squeaks",
    "How do I nominate a colleague for the quarterly award?",
    "Is the office open on Christmas Eve?",
    "Can I expense a taxi after a late client dinner?",
    "Our printer budget for next year needs approving",
]
UNANSWERED_ZH = [
    "周五可以带狗来办公室吗？",
    "二楼的咖啡机漏水了",
    "经理不在的时候谁来批我的年假？",
    "我想申请一张升降桌",
    "下周二要订一个能坐二十人的会议室",
    "巴黎发布会想建一个新的 Slack 频道，谁来建？",
    "四点十二会议室空调太冷了",
    "IT 能帮忙录一段新员工培训视频吗？",
    "电脑包的带子断了，可以申请新的吗？",
    "工作电脑上能用私人邮箱吗？",
    "马德里办公室需要三十台新显示器的报价",
    "请帮我更新通讯录里的职位",
    "健身房会员有折扣吗？",
    "B 栋电梯有异响",
    "能给我申请一个客户专用的电话号码吗？",
    "去东京出差需要一个翻译",
    "在国外远程办公最多可以多少天？",
    "午休时可以在公司电脑上装游戏吗？",
    "有人把密码写在便利贴上贴在茶水间",
    "团队参加会议的差旅预算能增加吗？",
    "我休假的时候谁给办公室的植物浇水？",
    "请把隐私政策翻译成德语",
    "我想更换工资卡的银行账户",
    "食堂几点关门？",
    "猎户座会议室能加一块白板吗？",
    "我的椅子坏了一直响",
    "怎么提名同事参加季度评奖？",
    "平安夜办公室开门吗？",
    "和客户吃完晚饭打车能报销吗？",
    "明年的打印机预算需要审批",
]
