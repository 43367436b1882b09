"""The local emulator: moto's server, plus one read-only route for the mail SES accepted.

Usage: python moto_server.py HOST PORT [--serialized]

`GET /_local/ses/messages` answers `{"messages": [{id, source, subject, body, destinations}]}`:
the same fields moto's state dump (`/moto-api/data.json`) gives under ["ses"]["Message"], without
dumping every table item, object and queue message with them. The dump grows with everything the
emulator holds, and over a whole test run one read of it took seconds (15 s, 19 MB near the end),
holding up every other request; the tests and `./scripts/dev` read sent mail often.

`--serialized` answers one request at a time (used by scripts/test). moto_server is threaded, and
moto's DynamoDB checks a ConditionExpression and applies the write without a lock: under
concurrent requests a conditional update can let a few extra writes through (seen here: 25
threads doing `SET n = n + 1` if `n < 10` reached 12 now and then). Real DynamoDB applies each
conditional write atomically per item. Serialising requests gives the emulator that property, so
concurrency tests (N clients racing for a limit) test *our* design: a read-then-write in our code
still interleaves between requests and still fails them. The threaded default is what the local
runner needs for SQS long polling.
"""

import json
import sys

from moto.core.model_instances import model_data
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple
from werkzeug.wrappers import Response

SENT_MAIL_PATH = "/_local/ses/messages"


def sent_mail() -> list[dict]:
    """Every email moto's SES (v1 and v2) accepted, oldest first."""
    model = model_data.get("ses", {}).get("Message")
    return [
        {
            "id": message.id,
            "source": message.source,
            "subject": message.subject,
            "body": message.body,
            "destinations": message.destinations,
        }
        for message in list(getattr(model, "instances_tracked", []))
    ]


class WithSentMail:
    """moto's application, answering the sent-mail route itself."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == SENT_MAIL_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"messages": sent_mail()})
            return Response(body, mimetype="application/json")(environ, start_response)
        return self.app(environ, start_response)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    serialized = "--serialized" in sys.argv[3:]
    app = WithSentMail(DomainDispatcherApplication(create_backend_app))
    run_simple(host, port, app, threaded=not serialized, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
