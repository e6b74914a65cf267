"""A browser for the HubOAuth test: logs in to the hub through its form, then opens the service
and follows every redirect (hub authorize, service callback), as a browser would. Prints the
service's final answer as JSON: {status, url, body}."""
import json
import re
import sys
from urllib.parse import urljoin

import requests

hub, user, path = sys.argv[1], sys.argv[2], sys.argv[3]
browser = requests.Session()
form = browser.get(urljoin(hub, "hub/login"))
xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
browser.post(urljoin(hub, "hub/login"), data={"_xsrf": xsrf, "username": user, "password": "x"})
answer = browser.get(urljoin(hub, path))
json.dump({"status": answer.status_code, "url": answer.url, "body": answer.text}, sys.stdout)
