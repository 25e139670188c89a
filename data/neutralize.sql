-- A neutralized copy of a database must never talk to the production QuickBooks files.
UPDATE qbo_connection_token
   SET access_token = NULL,
       refresh_token = NULL,
       oauth_nonce = NULL,
       access_token_expires_at = NULL;
UPDATE qbo_connection SET state = 'not_connected';
DELETE FROM ir_config_parameter WHERE key = 'account_quickbooks_online.client_secret';
