#!/usr/bin/python3
"""Framing attacks against an HTTP/1.1 server: does every attack get exactly one refusal and a closed connection?

The same cases as the Java gateway's GatewayServerTest, from RFC 9112: repeated or conflicting Content-Length,
Content-Length with Transfer-Encoding (a smuggled GET behind it), invalid chunk sizes, obs-fold, bare LF/CR, header
limits, a chunked body over the size limit. Each case is sent on a fresh connection (not half-closed), and what comes
back within --wait seconds is classified:

    refused+closed   one 4xx/5xx answer, then the server closed the connection   (the guarantee)
    refused, open    one 4xx/5xx answer, connection left open for the bytes after it
    ACCEPTED         a 2xx answer: the malformed framing was taken as valid
    SMUGGLED         more than one answer: bytes inside the attack were served as a request
    no answer        nothing before the wait ran out, or the connection dropped without an answer

    bench/framing.py PORT [--path /predict] [--max-body BYTES] [--wait 2]
"""
import argparse
import json
import re
import socket
import sys
import time

BODY = b'{"instances": [[5.1, 3.5, 1.4, 0.2]]}'


def cases(path, max_body):
    p = path.encode()
    head = b"POST " + p + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    n = str(len(BODY)).encode()
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    chunked = head + b"Transfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (len(BODY), BODY)
    big = 1 << 16
    return [
        ("control: valid POST (keeps the connection)", head + b"Content-Length: " + n + b"\r\n\r\n" + BODY),
        ("control: valid chunked POST", chunked + chunk + b"0\r\n\r\n"),
        ("two different Content-Length", head + b"Content-Length: " + n + b"\r\nContent-Length: 0\r\n\r\n" + BODY),
        ("two equal Content-Length", head + b"Content-Length: " + n + b"\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("Content-Length list '37, 37'", head + b"Content-Length: " + n + b", " + n + b"\r\n\r\n" + BODY),
        ("Content-Length '+37'", head + b"Content-Length: +" + n + b"\r\n\r\n" + BODY),
        ("Content-Length '3_7'", head + b"Content-Length: " + n[:1] + b"_" + n[1:] + b"\r\n\r\n" + BODY),
        ("CL then TE: chunked, smuggled GET", head + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
         % (5 + len(smuggled)) + b"0\r\n\r\n" + smuggled),
        ("TE then CL: smuggled GET", head + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"
         + smuggled),
        ("TE 'chunked, identity'", head + b"Transfer-Encoding: chunked, identity\r\n\r\n" + chunk + b"0\r\n\r\n"),
        ("TE 'gzip, chunked' (unsupported coding)", head + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
        ("TE twice", head + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk
         + b"0\r\n\r\n"),
        ("TE in HTTP/1.0", b"POST " + p + b" HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + b"0\r\n\r\n"),
        ("chunk size -1, then 64 KiB", chunked + b"-1\r\n" + b"z" * big),
        ("chunk size 0x25", chunked + b"0x25\r\n" + BODY + b"\r\n0\r\n\r\n"),
        ("chunk longer than its size, smuggled GET", chunked + b"1\r\n" + BODY + b"\r\n0\r\n\r\n" + smuggled),
        ("chunk size ffffffffffffffffff", chunked + b"ffffffffffffffffff\r\n" + b"z" * big),
        ("chunk extension of 1 MiB", chunked + b"1;" + b"e" * (1 << 20) + b"\r\nx\r\n0\r\n\r\n"),
        ("chunked body over the size limit", chunked + (b"%x\r\n" % big + b"y" * big + b"\r\n")
         * (max_body // big + 1) + b"0\r\n\r\n"),
        ("obs-fold", head + b"X-A: a\r\n b: c\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("bare LF line ends", head.replace(b"\r\n", b"\n") + b"Content-Length: " + n + b"\n\n" + BODY),
        ("bare CR in a header line", head + b"X-A: a\rX-B: b\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("space before the colon", head + b"Content-Length : " + n + b"\r\n\r\n" + BODY),
        ("NUL in a header value", head + b"X-A: a\x00b\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("two Host headers", head + b"Host: y\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("HTTP/1.1 without Host", b"POST " + p + b" HTTP/1.1\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
        ("101 header fields", head + b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"Content-Length: " + n
         + b"\r\n\r\n" + BODY),
        ("one 70 KiB header", head + b"X-Big: " + b"b" * 70000 + b"\r\nContent-Length: " + n + b"\r\n\r\n" + BODY),
    ]


def read_answers(sock, wait):
    """Answers until the server closes or `wait` s pass without it; (answers, closed)."""
    data = b""
    deadline = time.time() + wait
    closed = False
    while time.time() < deadline:
        sock.settimeout(max(0.05, deadline - time.time()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:  # reset: closed, possibly losing what was sent
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    answers = []
    while data:
        end = data.find(b"\r\n\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        if end < 0 or not match:
            answers.append(("garbled", data[:60]))
            break
        status = int(match.group(1))
        length = re.search(rb"(?im)^content-length:\s*(\d+)", data[:end])
        if status < 200:
            data = data[end + 4:]
            continue
        if length:
            size = int(length.group(1))
        elif re.search(rb"(?im)^transfer-encoding:\s*chunked", data[:end]):
            size = data.find(b"\r\n0\r\n\r\n", end) + 7 - (end + 4)
        else:
            size = len(data) - end - 4
        answers.append((status, data[end + 4:end + 4 + size][:120]))
        data = data[end + 4 + size:]
    return answers, closed


def classify(answers, closed, control):
    statuses = [a[0] for a in answers]
    if control:
        return "ok" if statuses and all(s == 200 for s in statuses) and not closed else "FAILED"
    if len(answers) > 1:
        return "SMUGGLED"
    if not answers or answers[0][0] == "garbled":
        return "no answer"
    if 200 <= answers[0][0] < 300:
        return "ACCEPTED"
    return "refused+closed" if closed else "refused, open"


def run(port, path="/predict", max_body=16 << 20, wait=1.5):
    results = []
    for name, request in cases(path, max_body):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            try:
                sock.sendall(request)
            except OSError:
                pass  # refused early and closed; read what was answered
            answers, closed = read_answers(sock, wait)
        verdict = classify(answers, closed, name.startswith("control"))
        results.append({"case": name, "verdict": verdict, "statuses": [a[0] for a in answers]})
    return results


def summary(results):
    attacks = [r for r in results if not r["case"].startswith("control")]
    held = sum(r["verdict"] == "refused+closed" for r in attacks)
    controls = all(r["verdict"] == "ok" for r in results if r["case"].startswith("control"))
    return held, len(attacks), controls


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("--path", default="/predict")
    parser.add_argument("--max-body", type=int, default=16 << 20)
    parser.add_argument("--wait", type=float, default=1.5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args.port, args.path, args.max_body, args.wait)
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print("%-45s %-15s %s" % (r["case"], r["verdict"], r["statuses"]))
    held, total, controls = summary(results)
    print("refused and closed: %d of %d attacks; valid requests %s" % (held, total, "ok" if controls else "FAILED"))
    sys.exit(0 if held == total and controls else 1)


if __name__ == "__main__":
    main()
