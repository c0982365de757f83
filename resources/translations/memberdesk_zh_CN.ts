<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>BackupScheduler</name>
    <message>
        <source>Last backup: checking…</source>
        <translation>上次备份：检查中…</translation>
    </message>
    <message>
        <source>Backups are off</source>
        <translation>自动备份已关闭</translation>
    </message>
    <message>
        <source>Last backup: none yet</source>
        <translation>上次备份：暂无</translation>
    </message>
    <message>
        <source>Backups are off (last backup: {time})</source>
        <translation>自动备份已关闭（上次备份：{time}）</translation>
    </message>
    <message>
        <source>Last backup: {time}</source>
        <translation>上次备份：{time}</translation>
    </message>
    <message>
        <source>Backup failed: {reason}</source>
        <translation>备份失败：{reason}</translation>
    </message>
</context>
<context>
    <name>CardDialog</name>
    <message>
        <source>Member card</source>
        <translation>会员卡</translation>
    </message>
    <message>
        <source>Drawing the card…</source>
        <translation>正在生成会员卡…</translation>
    </message>
    <message>
        <source>Print… (Ctrl+P)</source>
        <translation>打印… (Ctrl+P)</translation>
    </message>
    <message>
        <source>Save PNG… (Ctrl+S)</source>
        <translation>保存为 PNG… (Ctrl+S)</translation>
    </message>
    <message>
        <source>Save PDF… (Ctrl+Shift+S)</source>
        <translation>保存为 PDF… (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Member card {member_no}</source>
        <translation>会员卡 {member_no}</translation>
    </message>
    <message>
        <source>Card sent to the printer.</source>
        <translation>会员卡已发送到打印机。</translation>
    </message>
    <message>
        <source>Save the card as PNG</source>
        <translation>将会员卡保存为 PNG</translation>
    </message>
    <message>
        <source>PNG image</source>
        <translation>PNG 图片</translation>
    </message>
    <message>
        <source>Save the card as PDF</source>
        <translation>将会员卡保存为 PDF</translation>
    </message>
    <message>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>处理中…</translation>
    </message>
    <message>
        <source>Member card {member_no} · {name}</source>
        <translation>会员卡 {member_no} · {name}</translation>
    </message>
    <message>
        <source>The card could not be drawn.</source>
        <translation>无法生成会员卡。</translation>
    </message>
    <message>
        <source>The printer could not be started.</source>
        <translation>无法启动打印机。</translation>
    </message>
    <message>
        <source>The file could not be written: {reason}</source>
        <translation>无法写入文件：{reason}</translation>
    </message>
</context>
<context>
    <name>CheckinView</name>
    <message>
        <source>Scan a card, or type a name, pinyin initials or the last 4 digits</source>
        <translation>请扫描会员卡，或输入姓名、拼音首字母或手机后 4 位</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>无摄像头</translation>
    </message>
    <message>
        <source>Undo check-in (Ctrl+Z)</source>
        <translation>撤销签到 (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Recent check-ins</source>
        <translation>最近签到</translation>
    </message>
    <message>
        <source>(undone)</source>
        <translation>（已撤销）</translation>
    </message>
    <message>
        <source>Check-in undone</source>
        <translation>签到已撤销</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>11-digit mobile number (optional)</source>
        <translation>11 位手机号（选填）</translation>
    </message>
    <message>
        <source>Not given</source>
        <translation>保密</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Given</source>
        <translation>填写</translation>
    </message>
    <message>
        <source>Separate tags with commas, e.g. 瑜伽, 私教</source>
        <translation>多个标签用逗号分隔，如：瑜伽，私教</translation>
    </message>
    <message>
        <source>Agrees to receive offers and news</source>
        <translation>同意接收优惠和活动信息</translation>
    </message>
    <message>
        <source>Scan or type a card number from the old system (optional)</source>
        <translation>扫描或输入旧系统的卡号（选填）</translation>
    </message>
    <message>
        <source>Print or save the member card next</source>
        <translation>完成后打印或保存会员卡</translation>
    </message>
    <message>
        <source>From file…</source>
        <translation>从文件选择…</translation>
    </message>
    <message>
        <source>Take photo (Ctrl+T)</source>
        <translation>拍照 (Ctrl+T)</translation>
    </message>
    <message>
        <source>No camera is set up on this desk.</source>
        <translation>本前台未设置摄像头。</translation>
    </message>
    <message>
        <source>Remove photo</source>
        <translation>删除照片</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Old card no.</source>
        <translation>旧卡号</translation>
    </message>
    <message>
        <source>Add old card no.</source>
        <translation>添加旧卡号</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation>Ctrl+Enter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>新会员</translation>
    </message>
    <message>
        <source>Edit member</source>
        <translation>编辑会员</translation>
    </message>
    <message>
        <source>Choose a photo</source>
        <translation>选择照片</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.webp *.heic *.gif);;All files (*)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.bmp *.webp *.heic *.gif);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The camera has no picture yet; try again.</source>
        <translation>摄像头还没有画面，请重试。</translation>
    </message>
    <message>
        <source>This is a MemberDesk member card, not a card number to import.</source>
        <translation>这是 MemberDesk 会员卡，不是要导入的旧卡号。</translation>
    </message>
    <message>
        <source>A card number has at most {n} characters.</source>
        <translation>卡号最多 {n} 个字符。</translation>
    </message>
    <message>
        <source>Edit member {member_no}</source>
        <translation>编辑会员 {member_no}</translation>
    </message>
    <message>
        <source>This card number already belongs to member {member_no}.</source>
        <translation>此卡号已属于会员 {member_no}。</translation>
    </message>
</context>
<context>
    <name>FreezeDialog</name>
    <message>
        <source>Freeze {plan}</source>
        <translation>冻结 {plan}</translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>First frozen day</source>
        <translation>冻结开始日</translation>
    </message>
    <message>
        <source>Last frozen day</source>
        <translation>冻结结束日</translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <source>Enter your PIN to start</source>
        <translation>请输入密码登录</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>任意员工</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>MemberDesk</source>
        <translation>MemberDesk</translation>
    </message>
    <message>
        <source>Sync: not set up (this desk works on its own)</source>
        <translation>同步：未设置（本前台独立运行）</translation>
    </message>
    <message>
        <source>The desk is locked: a staff member must log in first</source>
        <translation>前台已锁屏：请员工先登录</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>新会员</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁屏</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁屏</translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation>摄像头已开启</translation>
    </message>
    <message>
        <source>No camera: use the scanner or search</source>
        <translation>无摄像头：请使用扫码枪或搜索</translation>
    </message>
    <message>
        <source>Camera error: use the scanner or search</source>
        <translation>摄像头故障：请使用扫码枪或搜索</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation>备份保存在 {folder}</translation>
    </message>
</context>
<context>
    <name>MemberDetailView</name>
    <message>
        <source>Edit (Ctrl+E)</source>
        <translation>编辑 (Ctrl+E)</translation>
    </message>
    <message>
        <source>Print / save card (Ctrl+P)</source>
        <translation>打印/保存会员卡 (Ctrl+P)</translation>
    </message>
    <message>
        <source>Reissue card (Ctrl+R)</source>
        <translation>补发会员卡 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Issue a new QR card; the member&apos;s current card stops working.</source>
        <translation>发放新的二维码会员卡；会员当前的卡将失效。</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>返回 (Esc)</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>套餐</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>剩余</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Freezes</source>
        <translation>冻结记录</translation>
    </message>
    <message>
        <source>Freeze… (Ctrl+Shift+F)</source>
        <translation>冻结… (Ctrl+Shift+F)</translation>
    </message>
    <message>
        <source>Unfreeze (Ctrl+Shift+U)</source>
        <translation>解冻 (Ctrl+Shift+U)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>How</source>
        <translation>方式</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Load more</source>
        <translation>加载更多</translation>
    </message>
    <message>
        <source>Undo check-in</source>
        <translation>撤销签到</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>变动</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Plans</source>
        <translation>套餐</translation>
    </message>
    <message>
        <source>Check-ins</source>
        <translation>签到记录</translation>
    </message>
    <message>
        <source>Points and balances</source>
        <translation>积分与余额</translation>
    </message>
    <message>
        <source>Reissue the card of {name}? The current card will stop working.</source>
        <translation>确定为 {name} 补发会员卡吗？当前的卡将失效。</translation>
    </message>
    <message>
        <source>A new card was issued; the old one no longer works.</source>
        <translation>已补发新卡，旧卡已失效。</translation>
    </message>
    <message>
        <source>Print or save the new card now?</source>
        <translation>现在打印或保存新卡吗？</translation>
    </message>
    <message>
        <source>The plan is frozen.</source>
        <translation>套餐已冻结。</translation>
    </message>
    <message>
        <source>Unfreeze {plan}? The member may come in again from today.</source>
        <translation>确定解冻 {plan} 吗？会员从今天起可以再次入场。</translation>
    </message>
    <message>
        <source>The plan is unfrozen.</source>
        <translation>套餐已解冻。</translation>
    </message>
    <message>
        <source>Undo this check-in? A visit it used is given back.</source>
        <translation>确定撤销这次签到吗？已扣除的次数将退回。</translation>
    </message>
    <message>
        <source>The check-in was undone.</source>
        <translation>签到已撤销。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <source>No. {member_no} · {tier}</source>
        <translation>会员号 {member_no} · {tier}</translation>
    </message>
    <message>
        <source>No mobile</source>
        <translation>未留手机号</translation>
    </message>
    <message>
        <source>Born {date}</source>
        <translation>生日 {date}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Tags: {tags} · Enrolled {date}</source>
        <translation>标签：{tags} · 入会日期 {date}</translation>
    </message>
    <message>
        <source>Points {points} · Stored value {money}</source>
        <translation>积分 {points} · 储值 {money}</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Last check-in: {when}</source>
        <translation>上次签到：{when}</translation>
    </message>
    <message>
        <source>no end</source>
        <translation>无期限</translation>
    </message>
    <message>
        <source>(+{days} frozen)</source>
        <translation>（冻结 +{days} 天）</translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>{n} visits</source>
        <translation>{n} 次</translation>
    </message>
    <message>
        <source>Starts {date}</source>
        <translation>{date} 开始</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Frozen until {date}</source>
        <translation>冻结至 {date}</translation>
    </message>
    <message>
        <source>No visits left</source>
        <translation>次数已用完</translation>
    </message>
    <message>
        <source>Stored value</source>
        <translation>储值</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>1 visit used</source>
        <translation>扣除 1 次</translation>
    </message>
    <message>
        <source>Undone {when} by {who}</source>
        <translation>已由 {who} 于 {when} 撤销</translation>
    </message>
    <message>
        <source>Please confirm</source>
        <translation>请确认</translation>
    </message>
    <message>
        <source>Only a manager can freeze or unfreeze a plan.</source>
        <translation>只有店长可以冻结或解冻套餐。</translation>
    </message>
    <message>
        <source>Pause the selected plan for some days</source>
        <translation>将所选套餐暂停若干天</translation>
    </message>
    <message>
        <source>End the selected plan&apos;s freeze today</source>
        <translation>今天结束所选套餐的冻结</translation>
    </message>
    <message>
        <source>Managers can undo a check-in shortly after it was made.</source>
        <translation>店长可在签到后短时间内撤销签到。</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Gender not given</source>
        <translation>性别保密</translation>
    </message>
    <message>
        <source>Time</source>
        <comment>plan kind</comment>
        <translation>时间卡</translation>
    </message>
    <message>
        <source>Visits</source>
        <comment>plan kind</comment>
        <translation>次卡</translation>
    </message>
    <message>
        <source>Stored value</source>
        <comment>plan kind</comment>
        <translation>储值卡</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>次数</translation>
    </message>
    <message>
        <source>QR card</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>刷卡</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>购买</translation>
    </message>
    <message>
        <source>Earned</source>
        <translation>获得</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Check-in undone</source>
        <translation>签到已撤销</translation>
    </message>
    <message>
        <source>Redeemed</source>
        <translation>兑换</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation>调整</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
</context>
<context>
    <name>MemberTier</name>
    <message>
        <source>Standard</source>
        <translation>普通</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>钻石卡</translation>
    </message>
</context>
<context>
    <name>MembersTableModel</name>
    <message>
        <source>Member no.</source>
        <translation>会员号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>入会日期</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
</context>
<context>
    <name>MembersView</name>
    <message>
        <source>Search: name, pinyin initials, last 4 digits of the mobile, member or card no.</source>
        <translation>搜索：姓名、拼音首字母、手机后 4 位、会员号或卡号</translation>
    </message>
    <message>
        <source>Search members</source>
        <translation>搜索会员</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Show the selected member (Enter)</source>
        <translation>查看所选会员 (Enter)</translation>
    </message>
    <message>
        <source>New member…</source>
        <translation>新会员…</translation>
    </message>
    <message>
        <source>Enroll a new member (Ctrl+N)</source>
        <translation>登记新会员 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the member list again (F5)</source>
        <translation>重新加载会员列表 (F5)</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <source>No member matches “{query}”.</source>
        <translation>没有与“{query}”匹配的会员。</translation>
    </message>
    <message>
        <source>{count} found</source>
        <translation>找到 {count} 位</translation>
    </message>
    <message>
        <source>Loading members…</source>
        <translation>正在加载会员…</translation>
    </message>
    <message>
        <source>{count} members</source>
        <translation>共 {count} 位会员</translation>
    </message>
</context>
<context>
    <name>PhotoWidget</name>
    <message>
        <source>Member photo</source>
        <translation>会员照片</translation>
    </message>
    <message>
        <source>The photo could not be read.</source>
        <translation>无法读取照片。</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <source>Ready: show a member card or search</source>
        <translation>就绪：请出示会员卡或搜索</translation>
    </message>
    <message>
        <source>Welcome, {name}!</source>
        <translation>欢迎，{name}！</translation>
    </message>
    <message>
        <source>Points {points} · Stored value {money}</source>
        <translation>积分 {points} · 储值 {money}</translation>
    </message>
    <message>
        <source>No valid plan</source>
        <translation>没有有效套餐</translation>
    </message>
    <message>
        <source>Plan expired</source>
        <translation>套餐已过期</translation>
    </message>
    <message>
        <source>Plan not started yet</source>
        <translation>套餐尚未开始</translation>
    </message>
    <message>
        <source>Plan is frozen</source>
        <translation>套餐已冻结</translation>
    </message>
    <message>
        <source>No visits left</source>
        <translation>次数已用完</translation>
    </message>
    <message>
        <source>Card revoked: a newer card was issued</source>
        <translation>卡已作废：已补发新卡</translation>
    </message>
    <message>
        <source>Already checked in</source>
        <translation>已签到</translation>
    </message>
    <message numerus="yes">
        <source>⚠ Plan ends in %n day(s)</source>
        <translation>
            <numerusform>⚠ 套餐 %n 天后到期</numerusform>
        </translation>
    </message>
    <message>
        <source>🎂 Birthday today</source>
        <translation>🎂 今天生日</translation>
    </message>
    <message>
        <source>⚠ Last visit on this card</source>
        <translation>⚠ 次卡最后一次</translation>
    </message>
    <message numerus="yes">
        <source>{plan} · %n visit(s) left</source>
        <translation>
            <numerusform>{plan} · 剩余 %n 次</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{plan} · %n day(s) left</source>
        <translation>
            <numerusform>{plan} · 剩余 %n 天</numerusform>
        </translation>
    </message>
    <message>
        <source>(until {date})</source>
        <translation>（至 {date}）</translation>
    </message>
    <message>
        <source>Ended on {date}</source>
        <translation>已于 {date} 结束</translation>
    </message>
    <message>
        <source>Starts on {date}</source>
        <translation>{date} 开始</translation>
    </message>
    <message>
        <source>Checked in at {time}</source>
        <translation>已于 {time} 签到</translation>
    </message>
    <message>
        <source>Ask the member for the new card, or search by name</source>
        <translation>请会员出示新卡，或按姓名搜索</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>Front desk</source>
        <translation>前台</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>zxing-cpp (recommended)</source>
        <translation>zxing-cpp（推荐）</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Play a sound after each scan</source>
        <translation>每次扫码后播放提示音</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Keep a webcam snapshot of each check-in</source>
        <translation>每次签到时保存摄像头快照</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Only an administrator can change this</source>
        <translation>只有管理员可以修改此项</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Only a manager or an administrator can change this</source>
        <translation>只有店长或管理员可以修改此项</translation>
    </message>
    <message>
        <source>A new language takes effect when MemberDesk restarts.</source>
        <translation>新语言将在 MemberDesk 重启后生效。</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>QR decoder</source>
        <translation>二维码解码器</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Lock when idle for</source>
        <translation>空闲自动锁屏</translation>
    </message>
    <message>
        <source>Keep snapshots for</source>
        <translation>快照保留时间</translation>
    </message>
    <message>
        <source>Refuse a second check-in within</source>
        <translation>禁止重复签到间隔</translation>
    </message>
    <message>
        <source>Back up the data every</source>
        <translation>自动备份间隔</translation>
    </message>
    <message>
        <source>Backups to keep</source>
        <translation>保留备份份数</translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation>备份保存在 {folder}</translation>
    </message>
</context>
<context>
    <name>Tiers</name>
    <message>
        <source>Standard</source>
        <translation>普通</translation>
    </message>
    <message>
        <source>Silver</source>
        <translation>银卡</translation>
    </message>
    <message>
        <source>Gold</source>
        <translation>金卡</translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation>白金卡</translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation>钻石卡</translation>
    </message>
</context>
</TS>
