"""`slackcase demo`: the whole /case flow offline, against the built-in fakes.

It starts the Kore.ai sandbox, a fake Slack and the real app over loopback HTTP, types
`/case printer on fire` as a person would, fills in and submits the modal, and prints
what Slack and Kore.ai received.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from slackcase.app import build_app
from slackcase.config import load_settings
from slackcase.sandbox.fake_slack import FakeSlack
from slackcase.sandbox.kore_server import DEV_ACCOUNT_ID, DEV_CLIENT_SECRET, KoreSandbox
from slackcase.sandbox.loopback import wait_until
from slackcase.sandbox.slack_driver import SlackDriver

SECRET = "demo-signing-secret-not-a-real-one"
TOKEN = "xoxb-demo-0000-not-a-real-token"


def render_blocks(blocks: list[dict[str, Any]], indent: str = "  ") -> list[str]:
    """Block Kit as a person would read it, roughly."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            text = (block.get("text") or {}).get("text")
            if text:
                lines += [indent + ln for ln in text.splitlines()]
            for f in block.get("fields") or []:
                lines.append(indent + "  " + f["text"].replace("\n", ": ", 1))
        elif kind == "context":
            lines.append(indent + "  " + " ".join(e.get("text", "") for e in block["elements"]))
        elif kind == "input":
            element = block["element"]
            label = block["label"]["text"]
            value = element.get("initial_value") or element.get("initial_user") or \
                (element.get("initial_option") or {}).get("text", {}).get("text") or ""
            if element["type"] == "datetimepicker":
                value = time.strftime("%Y-%m-%d %H:%M UTC",
                                      time.gmtime(element["initial_date_time"]))
            lines.append(f"{indent}[{label}] {str(value)[:200]}")
        elif kind == "actions":
            lines.append(indent + " ".join(f"({e['text']['text']})" for e in block["elements"]))
        elif kind == "divider":
            lines.append(indent + "—" * 20)
    return lines


def run_demo() -> int:
    fake = FakeSlack(bot_token=TOKEN)
    fake.serve()
    fake.add_user("U0ALICE", "Alice Example", email="alice@example.com")
    fake.add_user("U0BOB", "Bob Builder", email="bob@example.com")
    fake.add_channel("C0GENERAL", "general")
    fake.add_channel("C0SUPPORT", "support")
    kore = KoreSandbox(account_id=DEV_ACCOUNT_ID)
    kore.serve()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings({
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url, "KORE_HOST": kore.url or "",
            "KORE_STREAM_ID": kore.stream_id, "KORE_CLIENT_ID": kore.client_id,
            "KORE_CLIENT_SECRET": DEV_CLIENT_SECRET, "KORE_ACCOUNT_ID": DEV_ACCOUNT_ID,
            "KORE_CASE_TEMPLATES": "ctm-general=General,ctm-it=IT Support",
            "SLACKCASE_DATABASE": str(Path(tmp) / "demo.db"),
            "SLACKCASE_NOTIFY_CHANNELS": "*=C0GENERAL",
            "SLACKCASE_REACTION": "ticket",
        })
        app = build_app(settings)
        app.start()
        server = app.http_server("127.0.0.1", 0)
        threading.Thread(target=server.run, daemon=True).start()
        driver = SlackDriver(f"http://127.0.0.1:{server.effective_port}", SECRET, fake)
        try:
            return _walk_through(fake, kore, driver)
        finally:
            server.close()
            driver.close()
            app.stop()
            fake.close()
            kore.close()


def _wait(predicate: Any, timeout: float = 15.0) -> Any:
    return wait_until(predicate, timeout, interval=0.05)


def _walk_through(fake: FakeSlack, kore: KoreSandbox, driver: SlackDriver) -> int:
    print("slackcase demo: Slack and Kore.ai are local fakes; nothing leaves this machine.\n")
    print("1. Alice types in #general:  /case printer on fire")
    answer = driver.command("printer on fire", user="U0ALICE", channel="C0GENERAL")
    print(f"   slackcase acknowledged in {answer.elapsed * 1000:.0f} ms\n")
    form = _wait(lambda: next((v for v in fake.views.values()
                               if v.get("callback_id") == "case_form"), None))
    if not form:
        print("demo failed: the modal did not open")
        return 1
    print("2. The modal Slack shows her (views.open):")
    print("\n".join(render_blocks(form["blocks"])) + "\n")
    values = {"description": "The 3rd floor printer smells of smoke and shows error E-42."}
    print("3. She adds a description and presses Create case.")
    answer = driver.submit(form["id"], values, user="U0ALICE")
    print(f"   slackcase answered in {answer.elapsed * 1000:.0f} ms: "
          f"{(answer.body or {}).get('response_action')} to “Creating case…”\n")
    if not _wait(lambda: len([m for m in fake.posts() if "CS" in m["text"]]) >= 2):
        print("demo failed: no confirmation was posted")
        return 1
    request = kore.requests("createCase")[0]
    headers = {k: v for k, v in request.headers.items()
               if k in ("iid", "accountid", "content-type", "bot-language")}
    headers["auth"] = "<JWT, HS256, appId=" + kore.client_id + ", masked>"
    print("4. What Kore.ai received (POST …/createCase):")
    print("   headers: " + json.dumps(headers))
    print("   body:    " + json.dumps(request.body, indent=2).replace("\n", "\n   ") + "\n")
    card, team = fake.posts()[0], fake.posts()[-1]
    print("5. The confirmation card in #general (chat.postMessage):")
    print("   " + card["text"])
    print("\n".join(render_blocks(card["blocks"], "   ")) + "\n")
    print("6. The team notification (routed by SLACKCASE_NOTIFY_CHANNELS):")
    print("\n".join(render_blocks(team["blocks"], "   ")) + "\n")
    result = _wait(lambda: next((v for v in fake.views.values()
                                 if v.get("callback_id") == "case_status"
                                 and "created" in json.dumps(v["blocks"])), None), 5)
    if result:
        print("7. The modal, updated in place (views.update):")
        print("\n".join(render_blocks(result["blocks"], "   ")) + "\n")
    if not _reaction_path(fake, kore, driver):
        return 1
    print(f"Slack Web API calls made: {', '.join(sorted({c.method for c in fake.calls}))}")
    print("Done. Next: fill .env (see .env.example) and run `slackcase check`.")
    return 0


def _reaction_path(fake: FakeSlack, kore: KoreSandbox, driver: SlackDriver) -> bool:
    print("8. In #support, Bob writes “VPN drops every hour” and replies “since Monday, "
          "on every laptop”; Alice adds :ticket: to his reply (SLACKCASE_REACTION=ticket).")
    root = fake.add_message("C0SUPPORT", "U0BOB", "VPN drops every hour")
    reply = fake.add_message("C0SUPPORT", "U0BOB", "since Monday, on every laptop",
                             thread_ts=root["ts"])
    driver.event({"type": "reaction_added", "user": "U0ALICE", "reaction": "ticket",
                  "item_user": "U0BOB",
                  "item": {"type": "message", "channel": "C0SUPPORT", "ts": reply["ts"]},
                  "event_ts": reply["ts"]})
    card = _wait(lambda: next(iter(fake.posts("C0SUPPORT")), None))
    if not card:
        print("demo failed: the reaction filed no case")
        return False
    body = kore.requests("createCase")[-1].body
    print(f"   No form: Kore.ai got “{body['name']}” for {body['userInfo']['name']} "
          "(the message's author), the whole thread as its description.")
    print("   The card, in the thread (chat.postMessage with thread_ts):")
    print("\n".join(render_blocks(card["blocks"], "   ")) + "\n")
    return True
