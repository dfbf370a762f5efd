#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for the anchor tests, made with `openssl ts`.

usage: tsa.py DIR -- makes a CA and a TSA certificate (extendedKeyUsage timeStamping) in DIR,
writes DIR/ca.pem, then answers POSTed time-stamp queries with `openssl ts -reply` on 127.0.0.1
and writes the port to DIR/port once listening. Counts the answers in DIR/answered.
"""
import http.server
import os
import subprocess
import sys
import tempfile

DIR = os.path.abspath(sys.argv[1])


def run(*args):
    subprocess.run(args, check=True, cwd=DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_keys():
    with open(os.path.join(DIR, "ext.cnf"), "w") as f:
        f.write("[tsa_ext]\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n"
                "[ca_ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "3", "-subj", "/CN=charta test TSA CA",
        "-extensions", "ca_ext", "-config", "ext.cnf")
    run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key",
        "-out", "tsa.csr", "-subj", "/CN=charta test TSA")
    run("openssl", "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "2", "-extfile", "ext.cnf",
        "-extensions", "tsa_ext")
    with open(os.path.join(DIR, "tsa.cnf"), "w") as f:
        f.write(f"""[tsa]
default_tsa = tsa1
[tsa1]
dir = {DIR}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
""")
    with open(os.path.join(DIR, "serial"), "w") as f:
        f.write("01\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory(dir=DIR) as tmp:
            q, r = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            run("openssl", "ts", "-reply", "-config", "tsa.cnf", "-queryfile", q, "-out", r)
            with open(r, "rb") as f:
                answer = f.read()
        with open(os.path.join(DIR, "answered"), "a") as f:
            f.write("1\n")
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


make_keys()
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
