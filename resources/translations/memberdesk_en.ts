<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>BackupScheduler</name>
    <message>
        <source>Last backup: checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups are off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last backup: none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups are off (last backup: {time})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last backup: {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CardDialog</name>
    <message>
        <source>Member card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drawing the card…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print… (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save PNG… (Ctrl+S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save PDF… (Ctrl+Shift+S)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member card {member_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card sent to the printer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the card as PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the card as PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Member card {member_no} · {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The card could not be drawn.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The printer could not be started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file could not be written: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CheckinView</name>
    <message>
        <source>Scan a card, or type a name, pinyin initials or the last 4 digits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo check-in (Ctrl+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent check-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(undone)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-in undone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>11-digit mobile number (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Female</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Male</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Separate tags with commas, e.g. 瑜伽, 私教</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Agrees to receive offers and news</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan or type a card number from the old system (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print or save the member card next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take photo (Ctrl+T)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera is set up on this desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gender</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Old card no.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add old card no.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.webp *.heic *.gif);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The camera has no picture yet; try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is a MemberDesk member card, not a card number to import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A card number has at most {n} characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit member {member_no}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This card number already belongs to member {member_no}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FreezeDialog</name>
    <message>
        <source>Freeze {plan}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First frozen day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last frozen day</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginView</name>
    <message>
        <source>Enter your PIN to start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>MemberDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync: not set up (this desk works on its own)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The desk is locked: a staff member must log in first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New member</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera: use the scanner or search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera error: use the scanner or search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemberDetailView</name>
    <message>
        <source>Edit (Ctrl+E)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print / save card (Ctrl+P)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reissue card (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issue a new QR card; the member&apos;s current card stops working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freezes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freeze… (Ctrl+Shift+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unfreeze (Ctrl+Shift+U)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo check-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plans</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-ins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points and balances</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reissue the card of {name}? The current card will stop working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new card was issued; the old one no longer works.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Print or save the new card now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The plan is frozen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unfreeze {plan}? The member may come in again from today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The plan is unfrozen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo this check-in? A visit it used is given back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The check-in was undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No. {member_no} · {tier}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No mobile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Born {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags: {tags} · Enrolled {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points {points} · Stored value {money}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last check-in: {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(+{days} frozen)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frozen until {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No visits left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 visit used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undone {when} by {who}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Please confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a manager can freeze or unfreeze a plan.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause the selected plan for some days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End the selected plan&apos;s freeze today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Managers can undo a check-in shortly after it was made.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Female</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Male</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gender not given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <comment>plan kind</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visits</source>
        <comment>plan kind</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored value</source>
        <comment>plan kind</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Visits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QR card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Earned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check-in undone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redeemed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refund</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MemberTier</name>
    <message>
        <source>Standard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Silver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MembersTableModel</name>
    <message>
        <source>Member no.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MembersView</name>
    <message>
        <source>Search: name, pinyin initials, last 4 digits of the mobile, member or card no.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search members</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the selected member (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New member…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enroll a new member (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the member list again (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No member matches “{query}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading members…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} members</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhotoWidget</name>
    <message>
        <source>Member photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The photo could not be read.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <source>Ready: show a member card or search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome, {name}!</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points {points} · Stored value {money}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No valid plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan not started yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plan is frozen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No visits left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Card revoked: a newer card was issued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already checked in</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>⚠ Plan ends in %n day(s)</source>
        <translation>
            <numerusform>⚠ Plan ends in %n day</numerusform>
            <numerusform>⚠ Plan ends in %n days</numerusform>
        </translation>
    </message>
    <message>
        <source>🎂 Birthday today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ Last visit on this card</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{plan} · %n visit(s) left</source>
        <translation>
            <numerusform>{plan} · %n visit left</numerusform>
            <numerusform>{plan} · %n visits left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{plan} · %n day(s) left</source>
        <translation>
            <numerusform>{plan} · %n day left</numerusform>
            <numerusform>{plan} · %n days left</numerusform>
        </translation>
    </message>
    <message>
        <source>(until {date})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ended on {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts on {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked in at {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the member for the new card, or search by name</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>Front desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>zxing-cpp (recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play a sound after each scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep a webcam snapshot of each check-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only an administrator can change this</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a manager or an administrator can change this</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language takes effect when MemberDesk restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Camera</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QR decoder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lock when idle for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep snapshots for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse a second check-in within</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back up the data every</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups to keep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups are kept in {folder}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tiers</name>
    <message>
        <source>Standard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Silver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Platinum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diamond</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
