#!/usr/bin/env bash
# Build the django-helpdesk 2.6.1 peer from nothing: venv, packages, a fresh
# Django project with an empty SQLite DB in $PEER_DIR/site, migrations, users.
# Rerunning it wipes $PEER_DIR/site (the DB included); the venv is kept.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PEER=${PEER_DIR:-/tmp/helpdesk-compare/peer}
VENV=$PEER/.venv
SITE=$PEER/site

mkdir -p $PEER
"$HERE/stop.sh" >/dev/null 2>&1 || true

[ -x $VENV/bin/python ] || python3 -m venv $VENV
echo "installing packages (log: $PEER/pip.log)"
$VENV/bin/pip install --disable-pip-version-check \
    "django-helpdesk==2.6.1" "Django==5.2.19" "djangorestframework==3.18.3" \
    "gunicorn==27.0.1" "whitenoise==6.12.0" "httpx==0.28.1" >$PEER/pip.log 2>&1 \
  || { tail -20 $PEER/pip.log; exit 1; }

rm -rf $SITE
mkdir -p $SITE
$VENV/bin/django-admin startproject peersite $SITE
cp "$HERE/peer_settings.py" $SITE/peersite/settings.py
cp "$HERE/peer_urls.py" $SITE/peersite/urls.py

cd $SITE
# migrate also loads helpdesk's e-mail templates (migration 0003_initial_data_import)
$VENV/bin/python manage.py migrate --noinput -v0
$VENV/bin/python manage.py collectstatic --noinput -v0
$VENV/bin/python manage.py shell -v0 -c '
from django.contrib.auth.models import User
User.objects.create_superuser("admin", "admin@example.com", "admin-pass")
User.objects.create_user("agente", "agente@example.com", "agente-pass", is_staff=True)
# the customer is one of the seeded submitters (seed.py: cliente000..199)
User.objects.create_user("cliente", "cliente000@example.com", "cliente-pass")
'
echo "ready: $SITE ($($VENV/bin/python -c 'import django; print("Django", django.get_version())'), $($VENV/bin/pip show django-helpdesk 2>/dev/null | grep ^Version | sed 's/Version: /django-helpdesk /'))"
