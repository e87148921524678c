"""A minimal KServe v2 / Open Inference Protocol server for the ART side-by-side benchmark.

    python3 bench/probe/kserve_server.py --models OUT_DIR --port 0     # prints "listening on PORT" once ready

Serves every OUT_DIR/*.onnx (as written by make_models.py: input [N, 64] FP32, outputs label [N] INT64 and
probabilities [N, 10] FP32) with onnxruntime on one intra-op thread, so ART and Rampart attack the same endpoint
and neither gets an in-process shortcut. Only the JSON (REST) protocol, loopback only.
"""
import argparse
import glob
import json
import os
import re
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import onnxruntime as ort

FEATURES, CLASSES = 64, 10


class Model:
    def __init__(self, path):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def metadata(self, name):
        return {"name": name, "versions": ["1"], "platform": "onnxruntime",
                "inputs": [{"name": self.input_name, "datatype": "FP32", "shape": [-1, FEATURES]}],
                "outputs": [{"name": "label", "datatype": "INT64", "shape": [-1]},
                            {"name": "probabilities", "datatype": "FP32", "shape": [-1, CLASSES]}]}

    def infer(self, name, body):
        """Returns (status, response); a malformed request is a 400 naming what is wrong."""
        inputs = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
            return 400, {"error": "expected exactly one input tensor in \"inputs\""}
        tensor = inputs[0]
        shape, data = tensor.get("shape"), tensor.get("data")
        if tensor.get("datatype", "FP32") != "FP32":
            return 400, {"error": f"input datatype must be FP32, not {tensor.get('datatype')}"}
        if (not isinstance(shape, list) or len(shape) != 2 or shape[1] != FEATURES or not isinstance(shape[0], int)
                or shape[0] < 1):
            return 400, {"error": f"input shape must be [n, {FEATURES}] with n >= 1, not {shape}"}
        try:
            x = np.asarray(data, dtype=np.float32)
        except (TypeError, ValueError):
            return 400, {"error": "input data must be a flat list of numbers"}
        if x.size != shape[0] * FEATURES or x.ndim != 1:
            return 400, {"error": f"input data must be a flat list of {shape[0] * FEATURES} numbers"}
        if not np.isfinite(x).all():
            return 400, {"error": "input data must be finite"}
        labels, probabilities = self.session.run(None, {self.input_name: x.reshape(shape)})
        return 200, {"model_name": name, "outputs": [
            {"name": "label", "datatype": "INT64", "shape": [shape[0]], "data": labels.tolist()},
            {"name": "probabilities", "datatype": "FP32", "shape": [shape[0], CLASSES],
             "data": probabilities.reshape(-1).tolist()}]}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        # Without TCP_NODELAY, Nagle's algorithm plus the client's delayed ACK stalls every small keep-alive
        # response by ~40 ms, which would dominate the attacks' wall time.
        conn, address = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, address


def make_handler(models):
    infer_path = re.compile(r"^/v2/models/([^/]+)/infer$")
    model_path = re.compile(r"^/v2/models/([^/]+)$")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: one connection for a whole attack

        def log_message(self, format, *args):
            pass  # hundreds of thousands of requests per run

        def reply(self, status, body):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            if self.path == "/v2/health/ready":
                return self.reply(200, {"ready": True})
            match = model_path.match(self.path)
            if match and match.group(1) in models:
                return self.reply(200, models[match.group(1)].metadata(match.group(1)))
            self.reply(404, {"error": f"no such resource: {self.path}"})

        def do_POST(self):
            # The body is always read, even for a 404, so the connection stays usable for the next request.
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            match = infer_path.match(self.path)
            if not match:
                return self.reply(404, {"error": f"no such resource: {self.path}"})
            name = match.group(1)
            if name not in models:
                return self.reply(404, {"error": f"no such model: {name}"})
            try:
                body = json.loads(raw)
            except ValueError as e:
                return self.reply(400, {"error": f"invalid JSON: {e}"})
            self.reply(*models[name].infer(name, body))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="directory of *.onnx files; each is served under its stem")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (printed)")
    args = parser.parse_args()

    paths = sorted(glob.glob(os.path.join(args.models, "*.onnx")))
    if not paths:
        sys.exit(f"no .onnx files in {args.models}")
    models = {os.path.splitext(os.path.basename(p))[0]: Model(p) for p in paths}
    server = Server(("127.0.0.1", args.port), make_handler(models))
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
