"""The ordered handler list: read top to bottom to see how an update is routed."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from handlers import (
    ask,
    buttons,
    commands,
    drafter,
    eligibility,
    errors,
    export,
    groups,
    guard,
    input,
    language,
    moderation,
    privacy,
    responses,
    results,
    status,
    tracking,
)
from handlers.context import HearingApp

GUARD_GROUP = -1


def register(app: HearingApp) -> None:
    """Add every handler to the application, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE
    app.add_handler(TypeHandler(object, guard.admit), group=GUARD_GROUP)
    app.add_handlers(
        [
            CommandHandler("start", commands.start, filters=private & new_message),
            CommandHandler("items", commands.list_items, filters=private & new_message),
            CommandHandler("mine", commands.show_mine, filters=private & new_message),
            CommandHandler("propose", commands.propose, filters=private & new_message),
            CommandHandler("help", commands.show_help, filters=private & new_message),
            CommandHandler("language", language.ask_language, filters=private & new_message),
            CommandHandler("updates", responses.updates, filters=private & new_message),
            CommandHandler("digest", drafter.digest_now, filters=private & new_message),
            CommandHandler("suggestions", drafter.list_suggestions, filters=private & new_message),
            CommandHandler("report", drafter.report_now, filters=private & new_message),
            CommandHandler("broadcast", responses.broadcast, filters=private & new_message),
            CommandHandler("export", export.export_data, filters=private & new_message),
            CommandHandler("results", results.send_results, filters=private & new_message),
            CommandHandler("queue", moderation.queue, filters=private & new_message),
            CommandHandler("modlog", moderation.modlog, filters=private & new_message),
            CommandHandler("unban", moderation.unban, filters=private & new_message),
            CommandHandler("mydata", privacy.send_my_data, filters=private & new_message),
            CommandHandler("delete", privacy.ask_to_delete, filters=private & new_message),
            CommandHandler("status", status.show_status, filters=private & new_message),
            CommandHandler("groups", groups.show_groups, filters=private & new_message),
            CommandHandler("followups", status.follow_ups, filters=private & new_message),
            CommandHandler("track", tracking.track, filters=private & new_message),
            CommandHandler("ask", ask.ask, filters=private & new_message),
            CallbackQueryHandler(buttons.press_button),
            MessageHandler(private & filters.UpdateType.EDITED, input.receive_edit),
            MessageHandler(private & new_message & filters.COMMAND, commands.unknown_command),
            MessageHandler(private & new_message & filters.TEXT, input.receive_text),
            MessageHandler(private & new_message & filters.CONTACT, eligibility.receive_contact),
            MessageHandler(private & new_message, input.receive_other),
        ]
    )
    app.add_error_handler(errors.report_error)
