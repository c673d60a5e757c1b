"""db-init: one-off schema setup, run once by the deployment (platform:functions.db-init.runOnDeploy).

Connects with IAM database authentication (the function's `database: connect` grant): no password anywhere."""

import os


def main(event, context):
    host, database, user = os.environ["DB_HOST"], os.environ["DB_NAME"], os.environ["DB_USER"]
    # A real initialisation would open a TLS connection with an IAM auth token
    # (boto3 rds.generate_db_auth_token) and apply the migrations in event["migrations"].
    return {"status": "ok", "target": f"{user}@{host}/{database}", "migrations": event.get("migrations", [])}
