-- Neutralized copies of a database must never talk to Amazon with the production credentials.
UPDATE amazon_account
   SET lwa_client_secret = NULL,
       refresh_token = NULL;
-- ... nor with an endpoint override approved on the original database: an administrator enters it
-- again on the copy if it is still wanted.
UPDATE amazon_account
   SET endpoint_approval = NULL;
