//! The ERP job end to end: scheduler input -> task -> Odoo call, against the
//! Odoo stand-in server (`runtime/odoo/tests/odoo_server.py`) and moto (SSM
//! for the password, DynamoDB for the idempotency guard, SNS + SQS for the
//! published outcomes).

mod end_to_end;

mod server;
