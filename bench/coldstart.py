#!/usr/bin/env python3
"""Times process start to first decision, interleaving the variants so machine noise hits them alike.

  minimal-*   bench/ColdStart.Minimal: parse + verify one SNS message, print one word
  preview-*   sgnotifier preview --json --cert-dir --now on the same message (whole pipeline, no network)
  preview-notify-*  sgnotifier preview --json on samples/rdp-opened.json: a bare Config change that renders a mail
  serve-*     sgnotifier serve --cert-dir: process start to the first answer of POST /api/sns (on 127.0.0.1 only);
              the genuine message is from 2015, so the answer is 403 stale-message (the timestamp window is checked
              before the certificate is read)

Each variant is a published folder (bench/coldstart.sh builds them, with and without ReadyToRun). Time to first
decision is measured when the process's first output arrives (preview and minimal print their decision at once),
or when the first HTTP answer arrives (serve). Usage: coldstart.py OUT_DIR RUNS
"""
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MESSAGE = os.path.join(ROOT, "SgNotifier.Tests/TestData/Sns/genuine/notification-config-security-group-sigv1.json")
CERT_DIR = os.path.join(ROOT, "SgNotifier.Tests/TestData/Sns/certs")
CERT = os.path.join(CERT_DIR, "SimpleNotificationService-bb750dd426d95ee9390147a5624348ee.pem")
NOW = "2015-09-16T21:49:00Z"
ENV = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1", DOTNET_ENVIRONMENT="Development")


def first_output(command, cwd):
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.read(1)
    decided = time.perf_counter() - start
    rest = process.stdout.read()
    process.wait()
    if not first or process.returncode not in (0,):
        raise SystemExit(f"{command} failed ({process.returncode}): {process.stderr.read().decode()[:400]}")
    return decided, (first + rest).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(command, cwd, port):
    body = open(MESSAGE, "rb").read()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 30
        while time.perf_counter() < deadline:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/sns", data=body, method="POST",
                                             headers={"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode()
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.005)
                continue
            return time.perf_counter() - start, f"{status} {text}"
        raise SystemExit(f"{command} did not answer within 30 s")
    finally:
        process.terminate()
        process.wait()


def main():
    out, runs = sys.argv[1], int(sys.argv[2])
    variants = {}
    for build in ("jit", "r2r"):
        minimal = os.path.join(out, f"minimal-{build}", "ColdStart.Minimal")
        cli = os.path.join(out, f"cli-{build}", "sgnotifier")
        variants[f"minimal-{build}"] = lambda m=minimal: first_output([m, MESSAGE, CERT], ROOT)
        variants[f"preview-{build}"] = lambda c=cli: first_output(
            [c, "preview", MESSAGE, "--json", "--settings", os.path.join(ROOT, "bench/coldstart/preview-settings.json"),
             "--cert-dir", CERT_DIR, "--now", NOW], ROOT)

        # A Config change that notifies: the preview also renders the mail (no SNS envelope, so no verification).
        variants[f"preview-notify-{build}"] = lambda c=cli: first_output(
            [c, "preview", os.path.join(ROOT, "samples/rdp-opened.json"), "--json", "--settings",
             os.path.join(ROOT, "samples/settings.json")], ROOT)

        def serve(c=cli):
            port = free_port()
            return first_answer([c, "serve", "--urls", f"http://127.0.0.1:{port}", "--cert-dir", CERT_DIR,
                                 "--settings", os.path.join(ROOT, "bench/coldstart/serve-settings.json")], out, port)
        variants[f"serve-{build}"] = serve

    # One untimed round warms the file cache; then every round runs each variant once, in turn.
    samples = {name: [] for name in variants}
    answers = {}
    for round_ in range(runs + 1):
        for name, run in variants.items():
            seconds, answer = run()
            answers[name] = answer
            if round_ > 0:
                samples[name].append(seconds * 1000)

    for name in variants:
        print(f"# {name} answered: {answers[name].strip()[:160]}")
    print()
    print(f"| variant | median ms | min ms | mean ms | runs |")
    print(f"|---|---:|---:|---:|---:|")
    for name, values in samples.items():
        print(f"| {name} | {statistics.median(values):.0f} | {min(values):.0f} | {statistics.mean(values):.0f} | {len(values)} |")
    print()
    for build in ("jit", "r2r"):
        for baseline in ("jit", "r2r"):
            ratio = statistics.median(samples[f"preview-{build}"]) / statistics.median(samples[f"minimal-{baseline}"])
            print(f"preview-{build} / minimal-{baseline} (medians): {ratio:.2f}")


if __name__ == "__main__":
    main()
