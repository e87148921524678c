"""An https upstream: the certificate is verified (against upstream_ca_file or the system's roots), never skipped."""
import json
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import pytest

COMPLETION = {"id": "c", "object": "chat.completion", "created": 0, "model": "m",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "over tls"}, "finish_reason": "stop"}],
              "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        body = json.dumps(COMPLETION).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_upstream(tmp_path):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp_path)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Rampart test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/v1", tmp_path / "ca.pem"
    server.shutdown()


def test_https_upstream_is_verified(make_gateway, tls_upstream):
    url, ca = tls_upstream
    extra = f"""  - name: trusted
    upstream: "{url}"
    upstream_ca_file: "{ca}"
    models: ["trusted-*"]
  - name: untrusted
    upstream: "{url}"
    models: ["untrusted-*"]
"""
    gateway = make_gateway(extra_routes=extra)
    key = gateway.create_key(routes="*")["key"]
    gateway.start()
    client = openai.OpenAI(base_url=gateway.base + "/v1", api_key=key, max_retries=0, timeout=20)

    reply = client.chat.completions.create(model="trusted-model", messages=[{"role": "user", "content": "x"}])
    assert reply.choices[0].message.content == "over tls"

    # The same server without its CA: the certificate does not verify, so nothing is sent.
    with pytest.raises(openai.APIStatusError) as failed:
        client.chat.completions.create(model="untrusted-model", messages=[{"role": "user", "content": "x"}])
    assert failed.value.status_code == 502
    assert failed.value.code == "upstream_unreachable"
