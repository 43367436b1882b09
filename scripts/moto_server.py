"""The local emulator: moto's server answering one request at a time, kept bounded, plus one
read-only route for the mail SES accepted. scripts/dev and scripts/test both run it this way.

Usage: python moto_server.py HOST PORT

One request at a time. moto applies a conditional write without a lock, and its
TransactWriteItems is not isolated: a failed transaction rolls back by putting back a copy of the
table taken before it, undoing whatever other requests wrote meanwhile. Threaded, the emulator
let 5 one-photo download requests through on a limit of 3, and left 26 favourites lists on a cap
of 20. Real DynamoDB applies each conditional write and each transaction atomically. Answering
one request at a time gives the emulator that property, so concurrency tests (N clients racing
for a limit) test *our* design: a read-then-write in our code still interleaves between requests
and still fails them. The lock is held until the answer's body is complete (moto may produce it
lazily), and sending it to the client happens outside. The one exception is SQS ReceiveMessage,
which long-polls (the local runner waits up to 2 s on each queue): held, it would stall every
other request for as long as it waits. It touches no table, and runs alongside the others as in
moto's own threaded server. Of what our code and tests send, it is the only request that waits
(the rest are DynamoDB, SQS, SESv2 and S3 calls, presigned S3 URLs, and moto-api and the route
below). The AWS SDKs send SQS's JSON protocol, which names the action in `X-Amz-Target`; a
ReceiveMessage in the older query protocol is answered under the lock like any other request.

Bounded. moto keeps every model object it ever creates in a list for its state dump
(`/moto-api/data.json`): every DynamoDB item, including the copy it makes of each item a query,
a scan or an update returns and of each table a transaction writes to, every S3 object and SQS
message. None of it is ever let go, so memory grows with every request, not with what is stored
(after 30 walk-throughs: 836 items in the table, 525,861 kept). Here no model object is kept for
the dump (the dump lists none). And a TransactWriteItems copies each table it writes to, whole, before it
starts, to roll back: time and garbage in proportion to the table, on every transaction. Here it
keeps a copy of just the items the transaction writes, which is a whole rollback only because
nothing else writes while a transaction runs (one request at a time).

`GET /_local/ses/messages[?from=N]` answers `{"messages": [{id, source, subject, body,
destinations}], "next": M}`: the mail SES (v1 and v2) accepted, oldest first, from the Nth
(0-based; default all), and where the next read may start. The same fields moto's state dump gave
under ["ses"]["Message"], without dumping every table item, object and queue message with them,
and without sending again what a reader has seen.
"""

import copy
import json
import sys
import threading
from types import SimpleNamespace

import moto.dynamodb.models as dynamodb_models
from moto.core.common_models import BaseModel
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ses.models import Message, ses_backends
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

SENT_MAIL_PATH = "/_local/ses/messages"
LONG_POLL_TARGET = "AmazonSQS.ReceiveMessage"


def untracked_new(cls, *args, **kwargs):
    """BaseModel.__new__ without adding the instance to the class's `instances_tracked`."""
    return super(BaseModel, cls).__new__(cls)


BaseModel.__new__ = staticmethod(untracked_new)


def deepcopy_all_but_tables(value, memo=None):
    """copy.deepcopy, except that a table is "copied" as itself. moto's DynamoDB backend deep-copies
    a table only to roll back a transaction, which `transact_write_items` below does instead."""
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


dynamodb_models.copy = SimpleNamespace(deepcopy=deepcopy_all_but_tables)
moto_transact_write_items = DynamoDBBackend.transact_write_items


def transact_write_items(self, transact_items):
    """moto's TransactWriteItems, rolled back by putting back the items it wrote as they were."""
    before = {}
    for entry in transact_items:
        try:
            _, op = next(iter(entry.items()))
            table = self.get_table(op["TableName"])
            key = op["Item"] if "Item" in op else op["Key"]
            hash_key, range_key = self.get_keys_value(table, key)
            current = table.get_item(hash_key, range_key)
        except Exception:
            continue  # moto refuses this one before writing anything
        before.setdefault((table.name, hash_key, range_key), (table, copy.deepcopy(current)))
    try:
        moto_transact_write_items(self, transact_items)
    except Exception:
        for (_, hash_key, range_key), (table, item) in before.items():
            if item is None:
                table.delete_item(hash_key, range_key)
            elif range_key:
                table.items[hash_key][range_key] = item
            else:
                table.items[hash_key] = item
        raise


DynamoDBBackend.transact_write_items = transact_write_items


def sent_mail() -> list[dict]:
    """Every email moto's SES (v1 and v2, which sends through v1) accepted, oldest first."""
    return [
        {
            "id": message.id,
            "source": message.source,
            "subject": message.subject,
            "body": message.body,
            "destinations": message.destinations,
        }
        for account in list(ses_backends.values())
        for backend in list(account.values())
        for message in list(backend.sent_messages)
        if isinstance(message, Message)
    ]


class Emulator:
    """moto's application, one request at a time but for long polls, answering the sent-mail
    route itself."""

    def __init__(self, app):
        self.app = app
        self.one_at_a_time = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") == LONG_POLL_TARGET:
            return self.app(environ, start_response)
        with self.one_at_a_time:
            answer = self.answer(environ, start_response)
            try:
                return list(answer)
            finally:
                if hasattr(answer, "close"):
                    answer.close()

    def answer(self, environ, start_response):
        if environ.get("PATH_INFO") == SENT_MAIL_PATH and environ.get("REQUEST_METHOD") == "GET":
            start = int(Request(environ).args.get("from", 0))
            messages = sent_mail()
            body = json.dumps({"messages": messages[start:], "next": len(messages)})
            return Response(body, mimetype="application/json")(environ, start_response)
        return self.app(environ, start_response)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = Emulator(DomainDispatcherApplication(create_backend_app))
    # Threaded so that long polls wait alongside other requests; `Emulator` serialises the rest.
    run_simple(host, port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
