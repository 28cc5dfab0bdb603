// i18n.js — every string of the UI, Chinese first, English second, in this one table.
// t('key', {n: 3}) fills {n}. The language is kept in localStorage ('sanzhi.lang').

const TABLE = {
	// shell
	'app.title': ['社会组织综合服务平台', 'Social Organization Services Platform'],
	'app.subtitle': ['民政登记 · 政府购买服务 · 信用', 'Registry · Purchase of services · Credit'],
	'app.skip': ['跳到主要内容', 'Skip to main content'],
	'app.menu': ['菜单', 'Menu'],
	'app.nav': ['主导航', 'Main navigation'],
	'app.lang_toggle': ['English', '中文'],
	'app.lang_toggle_label': ['Switch to English', '切换到中文'],
	'app.sign_in': ['登录', 'Sign in'],
	'app.sign_up': ['注册', 'Sign up'],
	'app.sign_out': ['退出登录', 'Sign out'],
	'app.signed_in_as': ['当前用户', 'Signed in as'],
	'app.loading': ['正在加载…', 'Loading…'],
	'app.not_found': ['页面不存在', 'Page not found'],
	'app.not_found_detail': ['您访问的页面不存在。', 'The page you asked for does not exist.'],
	'app.forbidden': ['无权访问', 'Not allowed'],
	'app.forbidden_detail': ['您的角色无权访问此页面。', 'Your role cannot open this page.'],
	'app.home': ['返回首页', 'Go to the home page'],
	'app.session_expired': ['登录已过期，请重新登录。', 'Your session has expired. Please sign in again.'],
	'app.signed_out': ['您已退出登录。', 'You have signed out.'],
	'app.footer': ['本平台数据以登记管理机关核准信息为准。', 'Registered data as approved by the registration authority.'],

	// navigation
	'nav.register': ['社会组织查询', 'Register search'],
	'nav.uscc': ['信用代码校验', 'Code check'],
	'nav.my_applications': ['我的申请', 'My applications'],
	'nav.queue': ['审查队列', 'Review queue'],
	'nav.users': ['用户管理', 'Users'],
	'nav.audit': ['审计日志', 'Audit log'],

	// common words
	'common.yes': ['是', 'Yes'],
	'common.no': ['否', 'No'],
	'common.none': ['无', 'None'],
	'common.more': ['加载更多', 'Load more'],
	'common.no_more': ['已全部加载', 'All loaded'],
	'common.empty': ['暂无记录', 'Nothing here yet'],
	'common.search': ['查询', 'Search'],
	'common.reset': ['重置', 'Reset'],
	'common.save': ['保存', 'Save'],
	'common.cancel': ['取消', 'Cancel'],
	'common.confirm': ['确定', 'Confirm'],
	'common.close': ['关闭', 'Close'],
	'common.back': ['返回', 'Back'],
	'common.edit': ['编辑', 'Edit'],
	'common.refresh': ['刷新', 'Refresh'],
	'common.all': ['全部', 'All'],
	'common.actions': ['操作', 'Actions'],
	'common.required': ['必填', 'required'],
	'common.add_row': ['添加一行', 'Add a row'],
	'common.remove': ['删除', 'Remove'],
	'common.row': ['第 {n} 行', 'Row {n}'],
	'common.yuan': ['元', 'yuan'],
	'common.working': ['正在处理…', 'Working…'],
	'common.colon': ['：', ': '],

	// errors
	'error.title': ['操作未成功', 'That did not work'],
	'error.generic': ['请求失败（HTTP {status}）', 'Request failed (HTTP {status})'],
	'error.network': ['无法连接服务器', 'Cannot reach the server'],
	'error.network_detail': ['请检查网络连接后重试。', 'Check the connection and try again.'],
	'error.retry_after': ['请在 {n} 秒后重试。', 'Try again in {n} seconds.'],
	'error.fields': ['请修改以下内容：', 'Please correct the following:'],
	'error.required': ['此项为必填项', 'This field is required'],
	'error.money': ['请输入金额（元），最多两位小数，例如 30000.50', 'Enter an amount in yuan with at most two decimals, e.g. 30000.50'],
	'error.integer': ['请输入非负整数', 'Enter a whole number, zero or more'],
	'error.password_mismatch': ['两次输入的密码不一致', 'The passwords do not match'],
	'error.password_short': ['密码至少 {n} 个字符', 'The password needs at least {n} characters'],
	'error.file_type': ['仅支持 PDF、JPEG、PNG 文件', 'Only PDF, JPEG and PNG files are accepted'],
	'error.items_empty': ['请至少填写一项补正内容', 'Enter at least one item to supplement'],
	'error.conflict_reload': ['数据已被他人修改，请刷新后重试。', 'Someone else changed this; refresh and try again.'],

	// sign-in / sign-up
	'login.title': ['登录', 'Sign in'],
	'login.intro': ['请使用平台账号登录。社会组织申请人可在线注册账号。', 'Sign in with your platform account. Organizations applying for registration can sign up online.'],
	'login.submit': ['登录', 'Sign in'],
	'login.no_account': ['还没有账号？', 'No account yet?'],
	'login.sign_up_link': ['注册申请人账号', 'Sign up as an applicant'],
	'signup.title': ['注册申请人账号', 'Sign up as an applicant'],
	'signup.intro': ['注册后即可在线办理社会组织成立登记。', 'After signing up you can apply online to register an organization.'],
	'signup.submit': ['注册', 'Sign up'],
	'signup.have_account': ['已有账号？', 'Already have an account?'],
	'signup.done': ['注册成功，欢迎使用。', 'Your account is ready. Welcome.'],
	'signup.password_hint': ['至少 10 个字符', 'At least 10 characters'],

	// fields
	'field.username': ['用户名', 'Username'],
	'field.password': ['密码', 'Password'],
	'field.password_confirm': ['确认密码', 'Confirm password'],
	'field.display_name': ['姓名/显示名称', 'Display name'],
	'field.phone': ['联系电话', 'Phone'],
	'field.email': ['电子邮箱', 'Email'],
	'field.role': ['角色', 'Role'],
	'field.department': ['所属部门', 'Department'],
	'field.expert': ['评审专家', 'Expert'],
	'field.disabled': ['状态', 'Status'],
	'field.id': ['编号', 'ID'],
	'field.kind': ['申请类型', 'Application type'],
	'field.legal_form': ['组织形式', 'Legal form'],
	'field.category': ['直接登记类别', 'Category'],
	'field.name': ['名称', 'Name'],
	'field.region_code': ['行政区划代码', 'Region code'],
	'field.domicile': ['住所', 'Domicile'],
	'field.business_scope': ['业务范围', 'Business scope'],
	'field.activity_area': ['活动地域', 'Activity area'],
	'field.funds_fen': ['注册资金/原始基金（元）', 'Funds (yuan)'],
	'field.legal_representative': ['法定代表人', 'Legal representative'],
	'field.legal_representative.name': ['法定代表人姓名', 'Legal representative’s name'],
	'field.legal_representative.id_number': ['法定代表人身份证号', 'Legal representative’s ID number'],
	'field.members': ['会员', 'Members'],
	'field.members.individual': ['个人会员数', 'Individual members'],
	'field.members.unit': ['单位会员数', 'Unit members'],
	'field.directors': ['理事', 'Directors'],
	'field.directors.name': ['姓名', 'Name'],
	'field.directors.id_number': ['身份证号', 'ID number'],
	'field.contact': ['联系人', 'Contact'],
	'field.contact.name': ['联系人姓名', 'Contact name'],
	'field.contact.phone': ['联系人电话', 'Contact phone'],
	'field.contact.email': ['联系人邮箱', 'Contact email'],
	'field.documents': ['申请材料', 'Documents'],
	'field.status': ['状态', 'Status'],
	'field.created_at': ['创建时间', 'Created'],
	'field.updated_at': ['更新时间', 'Updated'],
	'field.submitted_at': ['提交时间', 'Submitted'],
	'field.accepted_at': ['受理时间', 'Accepted'],
	'field.decided_at': ['决定时间', 'Decided'],
	'field.decision_due': ['办结期限', 'Decision due'],
	'field.overdue': ['是否逾期', 'Overdue'],
	'field.supplement_items': ['补正事项', 'Items to supplement'],
	'field.reject_reason': ['不予登记理由', 'Reason for rejection'],
	'field.reason': ['理由', 'Reason'],
	'field.org_uscc': ['统一社会信用代码', 'Unified social credit code'],
	'field.uscc': ['统一社会信用代码', 'Unified social credit code'],
	'field.org_id': ['组织标识', 'Organization identifier'],
	'field.former_names': ['曾用名', 'Former names'],
	'field.legal_representative_name': ['法定代表人', 'Legal representative'],
	'field.registered_at': ['成立登记日期', 'Registered on'],
	'field.grade': ['评估等级', 'Evaluation grade'],
	'field.grade_valid_until': ['等级有效期至', 'Grade valid until'],
	'field.lists': ['名录状态', 'List status'],
	'field.region': ['行政区划代码', 'Region code'],
	'field.q': ['关键词', 'Keywords'],
	'field.items': ['补正事项', 'Items'],
	'field.message': ['说明', 'Message'],
	'field.field': ['事项', 'Item'],
	'field.issue_date': ['发证日期', 'Issue date'],
	'field.issued_at': ['签发时间', 'Signed at'],
	'field.registrar': ['审查人', 'Registrar'],
	'field.authority': ['登记管理机关', 'Registration authority'],
	'field.uscc_authority': ['登记管理部门代码', 'Registration authority code'],
	'field.title': ['证书名称', 'Certificate'],
	'field.certificate_no': ['证书编号', 'Certificate number'],
	'field.legal_form_name': ['组织形式', 'Legal form'],
	'field.format': ['格式', 'Format'],
	'field.supplement_window_ends': ['补正告知截止', 'Supplements may be requested until'],
	'field.deemed_accepted': ['视为受理', 'Deemed accepted'],
	'field.effective_date': ['生效日期', 'Effective'],
	'field.org_code': ['组织机构代码', 'Organization code'],
	'field.key_id': ['签名密钥', 'Signing key'],
	'field.signature': ['数字签名', 'Signature'],
	'field.object_type': ['对象类型', 'Object type'],
	'field.object_id': ['对象编号', 'Object ID'],
	'field.seq': ['序号', 'Seq.'],
	'field.at': ['时间', 'Time'],
	'field.actor': ['操作人', 'Actor'],
	'field.action': ['操作', 'Action'],
	'field.summary': ['摘要', 'Summary'],
	'field.hash': ['哈希', 'Hash'],
	'field.file': ['文件', 'File'],
	'field.size': ['大小', 'Size'],
	'field.media_type': ['类型', 'Type'],
	'field.sha256': ['SHA-256', 'SHA-256'],
	'field.can_bid': ['可参与政府购买服务', 'May bid for government services'],

	// hints
	'hint.region_code': ['6 位行政区划代码（GB/T 2260），如 330424 海盐县', 'Six-digit GB/T 2260 code, e.g. 330424 for Haiyan County'],
	'hint.name': ['以所在地行政区划名称开头，以“协会”“商会”“基金会”“中心”等组织形式用语结尾', 'Starts with the region’s name and ends with the form word (协会, 商会, 基金会, 中心 …)'],
	'hint.funds': ['单位：元，最多两位小数。社会团体不少于 3 万元；非公募基金会不少于 200 万元', 'In yuan, at most two decimals. Social groups at least ¥30,000; non-public foundations at least ¥2,000,000'],
	'hint.members': ['社会团体：个人会员不少于 50 个，或单位会员不少于 30 个，或合计不少于 50 个', 'Social groups: at least 50 individual members, or 30 unit members, or 50 in all'],
	'hint.directors': ['基金会理事 5 至 25 名', 'Foundations have 5 to 25 directors'],
	'hint.id_number': ['仅用于审查，不对外公开', 'Used for the review only, never published'],
	'hint.department': ['购买方用户填写', 'For purchaser users'],
	'hint.expert': ['评审专家（评审委员会成员）', 'An expert member of evaluation committees'],
	'hint.file_types': ['PDF、JPEG 或 PNG，不超过 20 MB', 'PDF, JPEG or PNG, up to 20 MB'],

	// enumerations
	'legal_form.social_group': ['社会团体', 'Social group'],
	'legal_form.social_service_institution': ['社会服务机构', 'Social service institution'],
	'legal_form.foundation': ['基金会', 'Foundation'],
	'category.industry_association': ['行业协会商会类', 'Industry association / chamber of commerce'],
	'category.science_technology': ['科技类', 'Science and technology'],
	'category.public_welfare': ['公益慈善类', 'Public welfare and charity'],
	'category.community_service': ['城乡社区服务类', 'Urban and rural community services'],
	'kind.establish': ['成立登记', 'Establishment'],
	'kind.change': ['变更登记', 'Change'],
	'kind.deregister': ['注销登记', 'Deregistration'],
	'status.draft': ['草稿', 'Draft'],
	'status.submitted': ['已提交', 'Submitted'],
	'status.supplement_requested': ['待补正', 'Supplement requested'],
	'status.accepted': ['已受理', 'Accepted'],
	'status.approved': ['准予登记', 'Approved'],
	'status.rejected': ['不予登记', 'Rejected'],
	'status.withdrawn': ['已撤回', 'Withdrawn'],
	'org_status.registered': ['正常', 'Registered'],
	'org_status.deregistered': ['已注销', 'Deregistered'],
	'role.applicant': ['申请人', 'Applicant'],
	'role.registrar': ['登记审查员', 'Registrar'],
	'role.purchaser': ['购买主体', 'Purchaser'],
	'role.evaluator': ['评审委员', 'Evaluator'],
	'role.admin': ['系统管理员', 'Administrator'],
	'role.system': ['系统', 'System'],
	'doc.application_letter': ['登记申请书', 'Application letter'],
	'doc.charter': ['章程草案', 'Draft charter'],
	'doc.domicile_proof': ['住所证明', 'Proof of domicile'],
	'doc.fund_verification': ['验资证明', 'Fund verification'],
	'doc.legal_rep_id': ['法定代表人身份证明', 'Legal representative’s ID'],
	'event.establish': ['成立登记', 'Established'],
	'event.change': ['变更登记', 'Changed'],
	'event.deregister': ['注销登记', 'Deregistered'],
	'event.grade': ['评估等级', 'Graded'],
	'event.listing': ['列入名录', 'Listed'],
	'event.delisting': ['移出名录', 'Removed from a list'],
	'list.abnormal': ['活动异常名录', 'Abnormal-activity list'],
	'list.serious': ['严重违法失信名单', 'Serious illegal-and-dishonest list'],
	'uscc_reason.length': ['长度应为 18 位', 'The code must have 18 characters'],
	'uscc_reason.charset': ['含有不允许的字符（不使用 I、O、S、V、Z）', 'It has characters that are not allowed (no I, O, S, V, Z)'],
	'uscc_reason.org_code_check': ['组织机构代码校验位错误', 'The organization-code check digit is wrong'],
	'uscc_reason.check_character': ['第 18 位校验码错误', 'The 18th check character is wrong'],
	'authority.5': ['民政', 'Civil affairs'],
	'uscc_category.1': ['社会团体', 'Social group'],
	'uscc_category.2': ['社会服务机构', 'Social service institution'],
	'uscc_category.3': ['基金会', 'Foundation'],
	'uscc_category.9': ['其他', 'Other'],
	'user_status.active': ['启用', 'Active'],
	'user_status.disabled': ['已停用', 'Disabled'],

	// audit actions (others are shown as they are)
	'audit_action.application.create': ['创建申请', 'Application created'],
	'audit_action.application.edit': ['修改申请', 'Application edited'],
	'audit_action.application.document_add': ['上传材料', 'Document uploaded'],
	'audit_action.application.document_delete': ['删除材料', 'Document removed'],
	'audit_action.application.submit': ['提交申请', 'Submitted'],
	'audit_action.application.withdraw': ['撤回申请', 'Withdrawn'],
	'audit_action.application.accept': ['受理', 'Accepted'],
	'audit_action.application.deemed_accept': ['视为受理', 'Deemed accepted'],
	'audit_action.application.request-supplement': ['要求补正', 'Supplements requested'],
	'audit_action.application.approve': ['准予登记', 'Approved'],
	'audit_action.application.reject': ['不予登记', 'Rejected'],
	'app.deemed': ['视为受理（逾期未告知补正）', 'Deemed accepted (no supplement request in time)'],

	// registrar queue
	'queue.title': ['登记审查队列', 'Registration review queue'],
	'queue.intro': ['按办结期限排序；已逾期的申请以红色标出。', 'Sorted by decision due date; overdue applications are marked in red.'],
	'queue.overdue': ['已逾期', 'Overdue'],
	'queue.filter': ['按状态筛选', 'Filter by status'],
	'queue.count_overdue': ['本页逾期 {n} 件', '{n} overdue on this page'],

	// applications
	'apps.title': ['我的申请', 'My applications'],
	'apps.new': ['新建成立登记申请', 'New establishment application'],
	'apps.empty': ['您还没有申请。点击“新建成立登记申请”开始。', 'You have no applications yet. Choose “New establishment application” to start.'],
	'app.untitled': ['（未命名申请）', '(untitled application)'],
	'app.heading': ['申请详情', 'Application'],
	'app.section.basic': ['基本信息', 'Basic information'],
	'app.section.legal_rep': ['法定代表人', 'Legal representative'],
	'app.section.members': ['会员情况（社会团体）', 'Members (social groups)'],
	'app.section.directors': ['理事（基金会）', 'Directors (foundations)'],
	'app.section.contact': ['联系人', 'Contact'],
	'app.section.documents': ['申请材料', 'Documents'],
	'app.section.progress': ['办理进度', 'Progress'],
	'app.section.audit': ['操作记录', 'Audit trail'],
	'app.documents_intro': ['成立登记须提交以下五类材料。', 'An establishment application needs these five documents.'],
	'app.doc_missing': ['尚未上传', 'Not uploaded'],
	'app.doc_upload': ['上传{kind}', 'Upload {kind}'],
	'app.doc_uploading': ['正在上传…', 'Uploading…'],
	'app.doc_uploaded': ['已上传：{name}', 'Uploaded: {name}'],
	'app.download': ['查看/下载', 'Open / download'],
	'app.doc_delete': ['删除', 'Remove'],
	'app.doc_delete.confirm': ['确认删除材料“{name}”？', 'Remove the document “{name}”?'],
	'app.doc_deleted': ['已删除：{name}', 'Removed: {name}'],
	'app.supplement_notice': ['登记管理机关要求补正以下材料，请修改后重新提交：', 'The registrar asks you to supplement the following, then submit again:'],
	'app.rejected_notice': ['登记管理机关决定不予登记，理由如下：', 'The registration authority rejected the application for this reason:'],
	'app.approved_notice': ['已准予登记。统一社会信用代码：', 'Approved. Unified social credit code:'],
	'app.view_org': ['查看登记信息', 'View the register entry'],
	'app.form.new_title': ['新建成立登记申请', 'New establishment application'],
	'app.form.edit_title': ['修改申请', 'Edit application'],
	'app.form.intro': ['带 * 的为提交前必须填写的内容。可先保存草稿，再上传材料并提交。', 'Fields marked * are needed before you submit. You can save a draft, then upload documents and submit.'],
	'app.form.save': ['保存草稿', 'Save draft'],
	'app.form.saved': ['申请已保存。请上传申请材料后提交。', 'Application saved. Upload the documents, then submit.'],
	'app.form.director_n': ['理事 {n}', 'Director {n}'],
	'app.form.add_director': ['添加理事', 'Add a director'],
	'app.form.no_directors': ['尚未添加理事', 'No directors yet'],
	'app.form.choose': ['请选择', 'Choose…'],

	// actions on applications
	'action.submit': ['提交申请', 'Submit'],
	'action.withdraw': ['撤回申请', 'Withdraw'],
	'action.accept': ['受理', 'Accept'],
	'action.request-supplement': ['要求补正', 'Request supplements'],
	'action.approve': ['准予登记', 'Approve'],
	'action.reject': ['不予登记', 'Reject'],
	'action.submit.confirm': ['确认提交此申请？提交后在审查期间不能修改。', 'Submit this application? It cannot be edited while under review.'],
	'action.withdraw.confirm': ['确认撤回此申请？撤回后不能恢复。', 'Withdraw this application? This cannot be undone.'],
	'action.accept.confirm': ['确认受理此申请？受理后开始计算办结期限。', 'Accept this application? The decision period starts now.'],
	'action.approve.confirm': ['确认准予登记？系统将赋予统一社会信用代码并签发登记证书。', 'Approve? The organization is registered, given its code and issued a certificate.'],
	'action.reject.prompt': ['请填写不予登记的理由，该理由将告知申请人。', 'Write the reason for rejection; the applicant will see it.'],
	'action.request-supplement.prompt': ['请一次性列出全部需要补正的事项（行政许可法第三十二条）。', 'List every item to supplement at once (Administrative Licensing Law, Art. 32).'],
	'action.submit.done': ['申请已提交。', 'The application was submitted.'],
	'action.withdraw.done': ['申请已撤回。', 'The application was withdrawn.'],
	'action.accept.done': ['已受理。', 'Accepted.'],
	'action.request-supplement.done': ['已通知申请人补正。', 'The applicant was asked to supplement.'],
	'action.approve.done': ['已准予登记。', 'Approved.'],
	'action.reject.done': ['已作出不予登记决定。', 'Rejected.'],
	'action.add_item': ['添加事项', 'Add an item'],
	'action.other_field': ['其他', 'Other'],

	// register search and profile
	'register.title': ['社会组织登记信息查询', 'Search the register of social organizations'],
	'register.intro': ['可按名称（含曾用名）、统一社会信用代码或其前缀查询。', 'Search by name (including former names), unified social credit code or a prefix of it.'],
	'register.results': ['查询结果', 'Results'],
	'register.no_results': ['没有符合条件的社会组织。', 'No organization matches.'],
	'register.q_placeholder': ['如：养老、5133…', 'e.g. 养老, 5133…'],
	'org.title': ['社会组织详情', 'Organization'],
	'org.not_found': ['未找到该社会组织。', 'No organization has this code.'],
	'org.section.basic': ['登记信息', 'Registration'],
	'org.section.history': ['登记事项变更记录', 'Registration history'],
	'org.section.certificate': ['登记证书', 'Registration certificate'],
	'org.section.credit': ['信用信息', 'Credit'],
	'org.no_history': ['暂无变更记录', 'No events recorded'],
	'org.no_lists': ['未列入活动异常名录或严重违法失信名单', 'On neither the abnormal-activity nor the serious list'],
	'org.credit_unavailable': ['信用信息暂未公开。', 'Credit information is not available yet.'],
	'org.certificate_unavailable': ['暂无电子登记证书。', 'No electronic certificate is available.'],
	'org.verify': ['验证证书签名', 'Verify the signature'],
	'org.verify_valid': ['签名有效：证书由登记管理机关签发且未被篡改。', 'Valid: the registry signed this certificate and it is unaltered.'],
	'org.verify_invalid': ['签名无效：证书内容与签名不符。', 'Invalid: the certificate does not match its signature.'],
	'org.download_certificate': ['下载证书（JSON）', 'Download the certificate (JSON)'],
	'org.check_code': ['校验此代码', 'Check this code'],
	'org.changes': ['变更内容', 'Changes'],
	'org.old': ['变更前', 'Before'],
	'org.new': ['变更后', 'After'],
	'org.events': ['信用事件', 'Credit events'],

	// code check
	'uscc.title': ['统一社会信用代码校验', 'Unified social credit code check'],
	'uscc.intro': ['输入 18 位统一社会信用代码，校验其是否符合 GB 32100-2015 并解析各部分含义。', 'Enter an 18-character code to check it against GB 32100-2015 and decode its parts.'],
	'uscc.check': ['校验', 'Check'],
	'uscc.valid': ['代码有效', 'The code is valid'],
	'uscc.invalid': ['代码无效', 'The code is not valid'],
	'uscc.find_org': ['在登记信息中查找', 'Look it up in the register'],

	// admin: users
	'users.title': ['用户管理', 'Users'],
	'users.create': ['新建用户', 'Create a user'],
	'users.created': ['已创建用户 {name}。', 'User {name} created.'],
	'users.disable': ['停用', 'Disable'],
	'users.enable': ['启用', 'Enable'],
	'users.disable.confirm': ['确认停用用户 {name}？该用户将无法登录。', 'Disable {name}? They will no longer be able to sign in.'],
	'users.enable.confirm': ['确认重新启用用户 {name}？', 'Enable {name} again?'],
	'users.disabled_done': ['已停用 {name}。', '{name} is disabled.'],
	'users.enabled_done': ['已启用 {name}。', '{name} is enabled.'],
	'users.filter_role': ['按角色筛选', 'Filter by role'],

	// admin: audit
	'audit.title': ['审计日志', 'Audit log'],
	'audit.intro': ['所有状态变更均记入哈希链，任何篡改、删除或插入都可被发现。', 'Every change is chained by hashes, so any altered, removed or inserted entry is detected.'],
	'audit.verify': ['校验审计链', 'Verify the audit chain'],
	'audit.valid': ['审计链完整：共 {n} 条记录，均未被篡改。', 'The chain is intact: {n} entries, none altered.'],
	'audit.invalid': ['审计链校验失败：自第 {seq} 条记录起异常（{reason}）。', 'The chain is broken from entry {seq} ({reason}).'],
	'audit.filter': ['筛选', 'Filter'],
};

const LANGS = ['zh', 'en'];
const KEY = 'sanzhi.lang';

let lang = (() => {
	try {
		return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
	} catch {
		return 'zh';
	}
})();

export function getLang() {
	return lang;
}

export function setLang(l) {
	lang = LANGS.includes(l) ? l : 'zh';
	try {
		localStorage.setItem(KEY, lang);
	} catch {
		/* private mode: the choice lasts for this page only */
	}
	document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

export function has(key) {
	return Object.prototype.hasOwnProperty.call(TABLE, key);
}

export function t(key, params) {
	const row = TABLE[key];
	let s = row ? row[lang === 'en' ? 1 : 0] : key;
	if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] != null ? String(params[k]) : m));
	return s;
}

// Label for an enumerated value: label('status', 'draft') -> '草稿'; unknown values as they are.
export function label(group, value) {
	if (value == null || value === '') return '';
	const key = `${group}.${value}`;
	return has(key) ? t(key) : String(value);
}

// Label for a dotted field path from an API error or form: 'legal_representative.name',
// 'directors[2].name' or 'directors.2.name' -> '理事 3 · 姓名'.
export function fieldLabel(path) {
	if (!path) return '';
	const parts = normalizePath(path).split('.');
	const names = parts.filter((p) => !/^\d+$/.test(p));
	const full = `field.${names.join('.')}`;
	const idx = parts.find((p) => /^\d+$/.test(p));
	if (parts[0] === 'documents' && parts[1] && has(`doc.${parts[1]}`)) {
		return `${t('field.documents')} · ${t(`doc.${parts[1]}`)}`;
	}
	if (idx !== undefined && names.length >= 1) {
		const head = has(`field.${names[0]}`) ? t(`field.${names[0]}`) : names[0];
		const tail = names.length > 1 ? (has(full) ? t(full) : names.slice(1).join('.')) : '';
		return [`${head} ${Number(idx) + 1}`, tail].filter(Boolean).join(' · ');
	}
	if (has(full)) return t(full);
	const last = names[names.length - 1];
	return has(`field.${last}`) ? t(`field.${last}`) : path;
}

export function normalizePath(path) {
	return String(path).replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}

setLang(lang);
