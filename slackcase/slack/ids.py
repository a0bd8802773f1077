"""Every Slack identifier the app uses, in one place; a test checks them against manifest.yml."""

COMMAND = "/case"
SHORTCUT_CREATE_CASE = "create_case_from_message"

# views (callback_id)
VIEW_CASE_FORM = "case_form"
VIEW_CASE_EXISTS = "case_exists"
VIEW_CASE_STATUS = "case_status"
VIEW_CASE_EDIT = "case_edit"

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
ACTION_EDIT_CASE = "edit_case"  # on every card: change a filed case's title or description
ACTION_ADD_TO_CASE = "add_to_case"  # the shortcut in a thread with a case: append the message
ACTION_LINK = "open_link"  # URL buttons still send an action that must be acked

BOT_EVENTS = ("app_home_opened", "reaction_added")

# Minimal bot scopes, each with what needs it: `slackcase check` names the feature when one is
# missing, README.md's scope table says the same. DMs go out with chat.postMessage to the
# user's id, which needs chat:write only (no conversations.open, so no im:write).
BOT_SCOPE_NEEDS = {
    "commands": "the /case command and the Create case shortcut",
    "chat:write": "confirmation cards, thread replies, team notices and DMs",
    "chat:write.public": "posting in public channels the bot has not joined",
    "users:read": "the requester's name and locale (users.info)",
    "users:read.email": "the requester's email for Kore.ai, and assignees found by email",
    "channels:history": "the thread as the case description, in public channels",
    "groups:history": "the thread as the case description, in private channels",
    "reactions:read": "SLACKCASE_REACTION (a case filed by adding that emoji to a message)",
}
# Needed only when the feature it names is on: `slackcase check` asks for it then.
REACTION_SCOPE = "reactions:read"
BOT_SCOPES = tuple(BOT_SCOPE_NEEDS)
# Needed only with SLACKCASE_ALLOWED_USERGROUPS (usergroups.users.list); not in manifest.yml.
USERGROUP_SCOPE = "usergroups:read"
USERGROUP_SCOPE_NEED = "SLACKCASE_ALLOWED_USERGROUPS (who is in the allowed groups)"
# The scope of the app-level token (xapp-) that opens Socket Mode connections.
APP_TOKEN_SCOPE = "connections:write"
