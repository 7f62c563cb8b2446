"""Staff routes: sign-in, the dashboard and console, moderation, councillors' review; a
council's staff and invitations (members.py), its audit log (council_audit.py), every account
for deployment admins (accounts.py), accepting an invitation (invites.py).

Every route checks the signed-in staff member and their role for the meeting's council
(hub/web/guards.py); every POST checks the CSRF token and the Origin. Actions answer JSON to
scripts (``Accept: application/json``) and redirect plain forms back.
"""
