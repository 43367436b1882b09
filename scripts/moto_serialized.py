"""moto's server, answering one request at a time (used by scripts/test).

moto_server is threaded, and moto's DynamoDB checks a ConditionExpression and applies the write
without a lock: under concurrent requests a conditional update can let a few extra writes through
(seen here: 25 threads doing `SET n = n + 1` if `n < 10` reached 12 now and then). Real DynamoDB
applies each conditional write atomically per item. Serialising requests gives the emulator that
property, so concurrency tests (N clients racing for a limit) test *our* design: a
read-then-write in our code still interleaves between requests and still fails them.

Usage: python moto_serialized.py HOST PORT
"""

import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
