-- Neutralized copies of a database must never talk to Amazon with the production credentials.
UPDATE amazon_account
   SET lwa_client_secret = NULL,
       refresh_token = NULL;
