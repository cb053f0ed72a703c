#!/usr/bin/env python3
"""A small Odoo stand-in that speaks Odoo's external API, for cloud-cron-odoo's tests.

Standard library only (xmlrpc, http.server, sqlite3, json). It serves:

* ``/xmlrpc/2/common`` (``version``, ``authenticate``, ``login``) and ``/xmlrpc/2/object``
  (``execute_kw``, ``execute``), with integer fault codes, as Odoo 8+ does;
* ``/xmlrpc/common`` and ``/xmlrpc/object``, the Odoo 7 endpoints, with the legacy string
  fault codes (``AccessDenied``, ``warning -- UserError\\n\\n...``);
* ``/jsonrpc`` (``{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"}}``)
  with Odoo's error envelope (``code`` 200, ``data.name`` = the exception class).

Faults are built exactly as Odoo's ``xmlrpc_handle_exception_int`` / ``_string`` and
``serialize_exception`` build them. Models: ``res.partner``, ``sale.order`` (both with
``write_date``) and ``ir.cron`` (``method_direct_trigger`` records each call).

Test control (never recorded): ``GET /_test/requests`` lists every RPC received (path, service,
method, params as JSON); ``GET /_test/cron_calls``; ``GET /_test/records?model=...``;
``POST /_test/config`` with JSON ``{"delay": seconds, "fail_status": 503, "fail_count": n,
"retry_after": "7", "serialization_failures": n, "set_password": [db, login, password],
"subsecond_write_date": true}``. With ``subsecond_write_date``, ``write_date`` is stored with
microseconds from then on (domains and ``order`` compare the stored value) but read back to the
second, as Odoo's PostgreSQL column and ORM do; ``/_test/records`` shows the stored value.

Run: ``python3 odoo_server.py --port 0``; the first stdout line is ``LISTENING <port>``.
"""

import argparse
import datetime
import http.server
import json
import os
import sqlite3
import sys
import threading
import time
import traceback
import urllib.parse
import xmlrpc.client

# --------------------------------------------------------------------------------------
# odoo.exceptions, with the same class hierarchy (and module name, so that tracebacks and
# JSON-RPC error names read "odoo.exceptions.X" as Odoo's do).


class UserError(Exception):
    pass


class AccessDenied(UserError):
    def __init__(self, message="Access Denied"):
        super().__init__(message)


class AccessError(UserError):
    pass


class MissingError(UserError):
    pass


class ValidationError(UserError):
    pass


class RedirectWarning(Exception):
    pass


for _cls in (UserError, AccessDenied, AccessError, MissingError, ValidationError, RedirectWarning):
    _cls.__module__ = "odoo.exceptions"


class SerializationFailure(Exception):
    pass


class OperationalError(Exception):
    pass


SerializationFailure.__module__ = "psycopg2.errors"
OperationalError.__module__ = "psycopg2"

RPC_FAULT_CODE_APPLICATION_ERROR = 1
RPC_FAULT_CODE_WARNING = 2
RPC_FAULT_CODE_ACCESS_DENIED = 3
RPC_FAULT_CODE_ACCESS_ERROR = 4


def xmlrpc_handle_exception_int(e):
    if isinstance(e, RedirectWarning):
        return xmlrpc.client.Fault(RPC_FAULT_CODE_WARNING, str(e))
    if isinstance(e, AccessError):
        return xmlrpc.client.Fault(RPC_FAULT_CODE_ACCESS_ERROR, str(e))
    if isinstance(e, AccessDenied):
        return xmlrpc.client.Fault(RPC_FAULT_CODE_ACCESS_DENIED, str(e))
    if isinstance(e, UserError):
        return xmlrpc.client.Fault(RPC_FAULT_CODE_WARNING, str(e))
    return xmlrpc.client.Fault(RPC_FAULT_CODE_APPLICATION_ERROR, "".join(traceback.format_exception(e)))


def xmlrpc_handle_exception_string(e):
    if isinstance(e, RedirectWarning):
        return xmlrpc.client.Fault("warning -- Warning\n\n" + str(e), "")
    if isinstance(e, MissingError):
        return xmlrpc.client.Fault("warning -- MissingError\n\n" + str(e), "")
    if isinstance(e, AccessError):
        return xmlrpc.client.Fault("warning -- AccessError\n\n" + str(e), "")
    if isinstance(e, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", str(e))
    if isinstance(e, UserError):
        return xmlrpc.client.Fault("warning -- UserError\n\n" + str(e), "")
    return xmlrpc.client.Fault(str(e), "".join(traceback.format_exception(e)))


def serialize_exception(e):
    name = type(e).__name__
    module = type(e).__module__
    return {
        "name": f"{module}.{name}" if module else name,
        "debug": "".join(traceback.format_exception(e)),
        "message": str(e),
        "arguments": list(e.args),
        "context": {},
    }


# --------------------------------------------------------------------------------------
# State

DATABASES = {
    "acme": {
        # login: (uid, password, is_admin)
        "admin": (2, "Adm1n-s3cret-PW!", True),
        "portal": (7, "portal-pw-0987", False),
    }
}

MODELS = {
    "res.partner": {
        "description": "Contact",
        "columns": ["name", "email", "is_company", "city", "write_date"],
    },
    "sale.order": {
        "description": "Sales Order",
        "columns": ["name", "partner_id", "amount_total", "state", "write_date"],
    },
    "ir.cron": {
        "description": "Scheduled Actions",
        "columns": ["name", "active", "write_date"],
    },
}

LOCK = threading.RLock()
DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.row_factory = sqlite3.Row
CONFIG = {
    "delay": 0.0,
    "fail_status": None,
    "fail_count": 0,
    "retry_after": None,
    "serialization_failures": 0,
    "subsecond_write_date": False,
}

# Odoo's datetime text: a stored value may carry microseconds, an exported one never does.
SECOND = len("YYYY-MM-DD HH:MM:SS")


def now():
    instant = datetime.datetime.now(datetime.timezone.utc)
    if CONFIG["subsecond_write_date"]:
        return instant.strftime("%Y-%m-%d %H:%M:%S.%f")
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def setup():
    with LOCK:
        DB.executescript(
            """
            CREATE TABLE requests (id INTEGER PRIMARY KEY, path TEXT, service TEXT, method TEXT, params TEXT);
            CREATE TABLE cron_calls (id INTEGER PRIMARY KEY, cron_id INTEGER, uid INTEGER, called_at TEXT);
            CREATE TABLE "res.partner" (id INTEGER PRIMARY KEY, name TEXT, email TEXT, is_company INTEGER,
                                        city TEXT, write_date TEXT);
            CREATE TABLE "sale.order" (id INTEGER PRIMARY KEY, name TEXT, partner_id INTEGER,
                                       amount_total REAL, state TEXT, write_date TEXT);
            CREATE TABLE "ir.cron" (id INTEGER PRIMARY KEY, name TEXT, active INTEGER, write_date TEXT);
            """
        )
        DB.executemany(
            'INSERT INTO "res.partner" VALUES (?, ?, ?, ?, ?, ?)',
            [
                (1, "Azure Interior", "azure@example.com", 1, "Fremont", "2026-11-28 09:00:00"),
                (2, "Deco Addict", "deco@example.com", 1, "Pleasant Hill", "2026-11-29 10:30:00"),
                (3, "Brandon Freeman", None, 0, "Fremont", "2026-11-30 08:15:00"),
                (4, "Gemini Furniture", "gemini@example.com", 1, "Fairfield", "2026-12-01 12:00:00"),
            ],
        )
        DB.executemany(
            'INSERT INTO "sale.order" VALUES (?, ?, ?, ?, ?, ?)',
            [
                (1, "S00001", 1, 1799.0, "draft", "2026-11-30 11:00:00"),
                (2, "S00002", 2, 320.5, "sale", "2026-12-01 09:45:00"),
                (3, "S00003", 1, 45.0, "sale", "2026-12-02 16:20:00"),
            ],
        )
        DB.executemany(
            'INSERT INTO "ir.cron" VALUES (?, ?, ?, ?)',
            [(1, "Mail: Email Queue Manager", 1, "2026-11-01 00:00:00"), (5, "Sales: Send invoices", 1, "2026-11-01 00:00:00")],
        )
        DB.commit()


def record(path, service, method, params):
    with LOCK:
        DB.execute(
            "INSERT INTO requests (path, service, method, params) VALUES (?, ?, ?, ?)",
            (path, service, method, json.dumps(params, default=str)),
        )
        DB.commit()


# --------------------------------------------------------------------------------------
# Domains


def _leaf_match(row, leaf):
    field, op, value = leaf
    current = row.get(field)
    if current is None:
        current = False
    if op == "=":
        return current == value
    if op == "!=":
        return current != value
    if op in (">", ">=", "<", "<="):
        if current is False or value is False or value is None:
            return False
        return {">": current > value, ">=": current >= value, "<": current < value, "<=": current <= value}[op]
    if op == "in":
        return current in value
    if op == "not in":
        return current not in value
    if op in ("ilike", "not ilike"):
        found = current is not False and str(value).lower() in str(current).lower()
        return found if op == "ilike" else not found
    if op == "like":
        return current is not False and str(value) in str(current)
    raise ValueError(f"Invalid leaf {leaf!r}")


def _parse(domain, pos):
    """Parses one expression of a prefix-notation domain; returns (predicate, next position)."""
    term = domain[pos]
    if term in ("&", "|"):
        left, pos = _parse(domain, pos + 1)
        right, pos = _parse(domain, pos)
        if term == "&":
            return (lambda row: left(row) and right(row)), pos
        return (lambda row: left(row) or right(row)), pos
    if term == "!":
        inner, pos = _parse(domain, pos + 1)
        return (lambda row: not inner(row)), pos
    if isinstance(term, (list, tuple)) and len(term) == 3:
        return (lambda row: _leaf_match(row, term)), pos + 1
    raise ValueError(f"Invalid domain term {term!r}")


def compile_domain(domain):
    domain = domain or []
    predicates = []
    pos = 0
    while pos < len(domain):
        predicate, pos = _parse(domain, pos)
        predicates.append(predicate)
    return lambda row: all(p(row) for p in predicates)


# --------------------------------------------------------------------------------------
# Models


class Env:
    def __init__(self, uid, is_admin):
        self.uid = uid
        self.is_admin = is_admin


def _check_access(env, model, mode):
    if env.is_admin:
        return
    description = MODELS[model]["description"]
    if model == "res.partner" and mode == "read":
        return
    verb = {"read": "read", "write": "modify", "create": "create"}[mode]
    raise AccessError(
        f"You are not allowed to {verb} '{description}' ({model}) records.\n\n"
        "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
        "Contact your administrator to request access if necessary."
    )


def _rows(model):
    with LOCK:
        return [dict(r) for r in DB.execute(f'SELECT * FROM "{model}" ORDER BY id')]


def _export(model, row, fields):
    wanted = fields or ["id"] + MODELS[model]["columns"]
    out = {}
    for field in wanted:
        if field != "id" and field not in MODELS[model]["columns"]:
            raise ValueError(f"Invalid field {field!r} on model {model!r}")
        value = row.get(field)
        if field == "is_company" or field == "active":
            value = bool(value)
        elif field == "write_date" and value is not None:
            value = value[:SECOND]
        elif field == "partner_id" and value is not None:
            with LOCK:
                partner = DB.execute('SELECT name FROM "res.partner" WHERE id = ?', (value,)).fetchone()
            value = [value, partner["name"] if partner else ""]
        if value is None:
            value = False
        out[field] = value
    out["id"] = row["id"]
    return out


def _sort(rows, order):
    if not order:
        return rows
    for part in reversed([p.strip() for p in order.split(",") if p.strip()]):
        bits = part.split()
        field = bits[0]
        reverse = len(bits) > 1 and bits[1].lower() == "desc"
        rows = sorted(rows, key=lambda r: (r.get(field) is None, r.get(field)), reverse=reverse)
    return rows


def _missing(model, ids, env):
    return MissingError(
        "Record does not exist or has been deleted.\n"
        f"(Record: {model}({', '.join(str(i) for i in ids)},), User: {env.uid})"
    )


def m_search(env, model, domain=None, offset=0, limit=None, order=None, count=False):
    _check_access(env, model, "read")
    match = compile_domain(domain)
    rows = _sort([r for r in _rows(model) if match(r)], order)
    if count:
        return len(rows)
    rows = rows[offset or 0:]
    if limit:
        rows = rows[:limit]
    return [r["id"] for r in rows]


def m_search_count(env, model, domain=None, limit=None):
    _check_access(env, model, "read")
    match = compile_domain(domain)
    return len([r for r in _rows(model) if match(r)])


def m_search_read(env, model, domain=None, fields=None, offset=0, limit=None, order=None):
    _check_access(env, model, "read")
    match = compile_domain(domain)
    rows = _sort([r for r in _rows(model) if match(r)], order)
    rows = rows[offset or 0:]
    if limit:
        rows = rows[:limit]
    return [_export(model, r, fields) for r in rows]


def m_read(env, model, ids, fields=None):
    _check_access(env, model, "read")
    by_id = {r["id"]: r for r in _rows(model)}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise _missing(model, missing, env)
    return [_export(model, by_id[i], fields) for i in ids]


def _validate(model, values):
    for field in values:
        if field not in MODELS[model]["columns"] or field == "write_date":
            raise ValueError(f"Invalid field {field!r} on model {model!r}")
    if model == "res.partner" and "name" in values and not values["name"]:
        raise ValidationError("Contacts require a name")


def m_create(env, model, values):
    _check_access(env, model, "create")
    if isinstance(values, list):
        return [m_create(env, model, v) for v in values]
    _validate(model, values)
    if model == "res.partner" and not values.get("name"):
        raise ValidationError("Contacts require a name")
    columns = list(values) + ["write_date"]
    data = [values[c] for c in values] + [now()]
    with LOCK:
        cursor = DB.execute(
            f'INSERT INTO "{model}" ({", ".join(columns)}) VALUES ({", ".join("?" for _ in columns)})', data
        )
        DB.commit()
        return cursor.lastrowid


def m_write(env, model, ids, values):
    _check_access(env, model, "write")
    _validate(model, values)
    existing = {r["id"] for r in _rows(model)}
    missing = [i for i in ids if i not in existing]
    if missing:
        raise _missing(model, missing, env)
    assignments = ", ".join(f"{c} = ?" for c in list(values) + ["write_date"])
    with LOCK:
        for record_id in ids:
            DB.execute(f'UPDATE "{model}" SET {assignments} WHERE id = ?', list(values.values()) + [now(), record_id])
        DB.commit()
    return True


def m_unlink(env, model, ids):
    _check_access(env, model, "write")
    if model == "sale.order":
        for row in _rows(model):
            if row["id"] in ids and row["state"] == "sale":
                raise UserError(
                    "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
                )
    with LOCK:
        for record_id in ids:
            DB.execute(f'DELETE FROM "{model}" WHERE id = ?', (record_id,))
        DB.commit()
    return True


def m_method_direct_trigger(env, model, ids):
    if model != "ir.cron":
        raise AttributeError(f"The method '{model}.method_direct_trigger' does not exist")
    if not env.is_admin:
        raise AccessError("Only administrators can run scheduled actions manually.")
    existing = {r["id"] for r in _rows(model)}
    missing = [i for i in ids if i not in existing]
    if missing:
        raise _missing(model, missing, env)
    with LOCK:
        for cron_id in ids:
            DB.execute("INSERT INTO cron_calls (cron_id, uid, called_at) VALUES (?, ?, ?)", (cron_id, env.uid, now()))
        DB.commit()
    return True


def m_check_access_rights(env, model, operation, raise_exception=True):
    try:
        _check_access(env, model, "read" if operation == "read" else "write")
        return True
    except AccessError:
        if raise_exception:
            raise
        return False


def m_echo_params(env, model, *args, **kwargs):
    # A method whose fault message repeats what it was given: lets the client prove it
    # redacts its password even from a server that echoes it.
    raise UserError(f"Cannot process {args!r} {kwargs!r} for {PARAMS_FOR_ECHO.value!r}")


PARAMS_FOR_ECHO = threading.local()

METHODS = {
    "search": m_search,
    "search_count": m_search_count,
    "search_read": m_search_read,
    "read": m_read,
    "create": m_create,
    "write": m_write,
    "unlink": m_unlink,
    "method_direct_trigger": m_method_direct_trigger,
    "check_access_rights": m_check_access_rights,
    "echo_params": m_echo_params,
}


# --------------------------------------------------------------------------------------
# Services


def check_credentials(db, uid, password):
    users = DATABASES.get(db)
    if users is None:
        raise OperationalError(f'connection to server failed: FATAL:  database "{db}" does not exist')
    for _login, (user_id, user_password, is_admin) in users.items():
        if user_id == uid and user_password == password:
            return Env(uid, is_admin)
    raise AccessDenied()


def login(db, login_name, password):
    users = DATABASES.get(db)
    if users is None:
        raise OperationalError(f'connection to server failed: FATAL:  database "{db}" does not exist')
    user = users.get(login_name)
    if user is None or user[1] != password:
        return False
    return user[0]


def authenticate(db, login_name, password, user_agent_env):
    return login(db, login_name, password)


def version():
    return {
        "server_version": "17.0",
        "server_version_info": [17, 0, 0, "final", 0, ""],
        "server_serie": "17.0",
        "protocol_version": 1,
    }


def execute_kw(db, uid, password, model, method, args=None, kwargs=None):
    env = check_credentials(db, uid, password)
    if CONFIG["serialization_failures"] > 0:
        CONFIG["serialization_failures"] -= 1
        raise SerializationFailure("could not serialize access due to concurrent update")
    if model not in MODELS:
        raise KeyError(model)
    if method.startswith("_"):
        raise AccessError(f"Private methods (such as {model}.{method}) cannot be called remotely.")
    func = METHODS.get(method)
    if func is None:
        raise AttributeError(f"The method '{model}.{method}' does not exist")
    return func(env, model, *(args or []), **(kwargs or {}))


def execute(db, uid, password, model, method, *args):
    return execute_kw(db, uid, password, model, method, list(args), {})


SERVICES = {
    "common": {"version": version, "login": login, "authenticate": authenticate},
    "object": {"execute": execute, "execute_kw": execute_kw},
}


def dispatch(service, method, params):
    funcs = SERVICES.get(service, {})
    func = funcs.get(method)
    if func is None:
        raise AttributeError(f"Method not available {method}")
    PARAMS_FOR_ECHO.value = params
    return func(*params)


# --------------------------------------------------------------------------------------
# HTTP


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet server
        pass

    def _send(self, status, body, content_type, headers=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_test/requests":
            with LOCK:
                rows = [
                    {"path": r["path"], "service": r["service"], "method": r["method"], "params": json.loads(r["params"])}
                    for r in DB.execute("SELECT * FROM requests ORDER BY id")
                ]
            return self._send(200, json.dumps(rows), "application/json")
        if url.path == "/_test/cron_calls":
            with LOCK:
                rows = [{"cron_id": r["cron_id"], "uid": r["uid"]} for r in DB.execute("SELECT * FROM cron_calls ORDER BY id")]
            return self._send(200, json.dumps(rows), "application/json")
        if url.path == "/_test/records":
            model = urllib.parse.parse_qs(url.query).get("model", [""])[0]
            if model not in MODELS:
                return self._send(404, "unknown model", "text/plain")
            return self._send(200, json.dumps(_rows(model)), "application/json")
        return self._send(404, "not found", "text/plain")

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path = urllib.parse.urlparse(self.path).path
        if path == "/_test/config":
            changes = json.loads(body or b"{}")
            with LOCK:
                if "set_password" in changes:
                    db, login_name, password = changes.pop("set_password")
                    uid, _old, is_admin = DATABASES[db][login_name]
                    DATABASES[db][login_name] = (uid, password, is_admin)
                CONFIG.update(changes)
            return self._send(200, "{}", "application/json")

        if CONFIG["delay"]:
            time.sleep(CONFIG["delay"])
        with LOCK:
            fail = CONFIG["fail_count"] > 0
            if fail:
                CONFIG["fail_count"] -= 1
        if fail:
            status = CONFIG["fail_status"] or 503
            headers = {"Retry-After": CONFIG["retry_after"]} if CONFIG["retry_after"] else {}
            return self._send(
                status, f"<html><body><h1>{status} Service Unavailable</h1></body></html>", "text/html", headers
            )

        xmlrpc_paths = {
            "/xmlrpc/2/common": ("common", xmlrpc_handle_exception_int),
            "/xmlrpc/2/object": ("object", xmlrpc_handle_exception_int),
            "/xmlrpc/common": ("common", xmlrpc_handle_exception_string),
            "/xmlrpc/object": ("object", xmlrpc_handle_exception_string),
        }
        if path in xmlrpc_paths:
            service, handle_exception = xmlrpc_paths[path]
            try:
                params, method = xmlrpc.client.loads(body, use_builtin_types=True)
            except Exception:  # noqa: BLE001
                return self._send(400, "malformed XML-RPC request", "text/plain")
            record(path, service, method, list(params))
            try:
                result = dispatch(service, method, list(params))
                response = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
            except Exception as e:  # noqa: BLE001
                response = xmlrpc.client.dumps(handle_exception(e), allow_none=True)
            return self._send(200, response, "text/xml; charset=utf-8")

        if path == "/jsonrpc":
            try:
                request = json.loads(body)
                params = request["params"]
            except Exception:  # noqa: BLE001
                return self._send(400, "malformed JSON-RPC request", "text/plain")
            service = params.get("service")
            method = params.get("method")
            args = params.get("args", [])
            record(path, service, method, args)
            try:
                result = dispatch(service, method, args)
                response = {"jsonrpc": "2.0", "id": request.get("id"), "result": result}
            except Exception as e:  # noqa: BLE001
                response = {
                    "jsonrpc": "2.0",
                    "id": request.get("id"),
                    "error": {"code": 200, "message": "Odoo Server Error", "data": serialize_exception(e)},
                }
            return self._send(200, json.dumps(response), "application/json")

        return self._send(404, "<html><body>Not Found</body></html>", "text/html")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--exit-on-stdin-close", action="store_true")
    args = parser.parse_args()
    setup()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    if args.exit_on_stdin_close:
        # The test process holds our stdin: when it exits, so do we.
        def watch():
            sys.stdin.buffer.read()
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
