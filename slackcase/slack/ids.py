"""Every Slack identifier the app uses, in one place; a test checks them against manifest.yml."""

COMMAND = "/case"
SHORTCUT_CREATE_CASE = "create_case_from_message"

# views (callback_id)
VIEW_CASE_FORM = "case_form"
VIEW_CASE_EXISTS = "case_exists"
VIEW_CASE_STATUS = "case_status"

# input blocks of the case form: block_id -> action_id
BLOCK_TEMPLATE, ACTION_TEMPLATE = "template", "template_select"
BLOCK_TITLE, ACTION_TITLE = "title", "title_input"
BLOCK_DESCRIPTION, ACTION_DESCRIPTION = "description", "description_input"
# The block gets a new id once the thread transcript arrives, so Slack shows the new value.
BLOCK_DESCRIPTION_THREAD = "description_thread"
BLOCK_DUE, ACTION_DUE = "due", "due_datetime"
BLOCK_REQUESTER, ACTION_REQUESTER = "requester", "requester_select"
BLOCK_EMAIL, ACTION_EMAIL = "contact_email", "contact_email_input"
BLOCK_PHONE, ACTION_PHONE = "contact_phone", "contact_phone_input"

# buttons
ACTION_CREATE_ANOTHER = "create_another_case"
ACTION_RETRY = "retry_submission"
ACTION_EDIT = "edit_submission"
ACTION_NEW_CASE = "home_new_case"
ACTION_LINK = "open_link"  # URL buttons still send an action that must be acked

BOT_EVENTS = ("app_home_opened",)

# Minimal bot scopes; README.md says why each one is needed.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "users:read.email",
    "channels:history",
    "groups:history",
    "im:write",
)
# Needed only with SLACKCASE_ALLOWED_USERGROUPS (usergroups.users.list); not in manifest.yml.
USERGROUP_SCOPE = "usergroups:read"
