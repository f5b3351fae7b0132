"""The errors Slack documents for each Web API method the desk calls, so the local Slack can be
told to answer any of them (`Faults.refuse`) and nothing else.

Per method, the `error` enum of the method's error schema in Slack's published Web API spec
(slack-api-specs, `web-api/slack_web_openapi_v2.json`; the request-format errors every method
lists there are in `COMMON`), plus what the method's page adds
(https://api.slack.com/methods/<method>#errors: the spec is older than some of them, and lists
no enum for the views methods or the two-step upload). `COMMON` are the errors Slack's method
pages list under every method (auth, scopes, migrations, rate limits and server trouble).
"""

from __future__ import annotations

SPEC: dict[str, tuple[str, ...]] = {
    "auth.test": ("not_authed", "invalid_auth", "token_revoked", "account_inactive", "request_timeout"),
    "chat.postMessage": (
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "rate_limited",
        "not_authed",
        "invalid_auth",
        "account_inactive",
    ),
    "chat.update": (
        "message_not_found",
        "cant_update_message",
        "channel_not_found",
        "edit_window_closed",
        "msg_too_long",
        "too_many_attachments",
        "rate_limited",
        "no_text",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "request_timeout",
        "fatal_error",
        "is_inactive",
    ),
    "chat.postEphemeral": (
        "channel_not_found",
        "is_archived",
        "msg_too_long",
        "no_text",
        "restricted_action",
        "too_many_attachments",
        "user_not_in_channel",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "no_permission",
        "org_login_required",
        "team_added_to_org",
        "request_timeout",
        "fatal_error",
    ),
    "conversations.open": (
        "method_not_supported_for_channel_type",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "users_list_not_supplied",
        "not_enough_users",
        "too_many_users",
        "invalid_user_combination",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "team_added_to_org",
        "request_timeout",
        "channel_not_found",
    ),
    "conversations.history": (
        "missing_scope",
        "channel_not_found",
        "invalid_ts_latest",
        "invalid_ts_oldest",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "request_timeout",
    ),
    "conversations.replies": (
        "missing_scope",
        "channel_not_found",
        "thread_not_found",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "team_added_to_org",
        "request_timeout",
    ),
    "users.info": (
        "user_not_found",
        "user_not_visible",
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "team_added_to_org",
        "request_timeout",
    ),
}
# What each method's page lists beyond the spec's enum.
PAGES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": (
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_metadata_format",
        "thread_not_found",
        "cannot_dm_bot",  # a DM to a bot user; conversations.open answers it too
    ),
    "chat.update": ("invalid_blocks", "invalid_blocks_format", "is_archived"),
    "chat.postEphemeral": ("invalid_blocks", "not_in_channel"),
    "conversations.open": ("cannot_dm_bot",),
    "views.open": ("expired_trigger_id", "invalid_trigger_id", "exchanged_trigger_id", "view_too_large"),
    "views.update": ("not_found", "hash_conflict", "view_too_large"),
    "views.publish": ("hash_conflict", "duplicate_external_id", "view_too_large", "not_enabled"),
    "files.getUploadURLExternal": ("invalid_arguments",),
    "files.completeUploadExternal": (
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "file_not_found",
        "posting_to_general_channel_denied",
        "file_uploads_disabled",
        "restricted_action",
    ),
}
COMMON: tuple[str, ...] = (
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "org_login_required",
    "ekm_access_denied",
    "missing_scope",
    "not_allowed_token_type",
    "invalid_arguments",
    "team_added_to_org",
    "ratelimited",
    "request_timeout",
    "upgrade_required",
    "invalid_arg_name",
    "invalid_array_arg",
    "invalid_charset",
    "invalid_form_data",
    "invalid_post_type",
    "missing_post_type",
    "invalid_json",
    "json_not_object",
    "service_unavailable",
    "fatal_error",
    "internal_error",
)
METHODS = (*SPEC, "views.open", "views.update", "views.publish", "files.getUploadURLExternal")
DOCUMENTED: dict[str, frozenset[str]] = {
    method: frozenset((*SPEC.get(method, ()), *PAGES.get(method, ()), *COMMON))
    for method in (*METHODS, "files.completeUploadExternal")
}
# The HTTP status Slack answers an error with: 200 with `"ok": false` for the rest.
STATUS = {"ratelimited": 429, "service_unavailable": 503}
