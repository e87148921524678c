"""The official OpenAI Python SDK pointed at `rampart serve` (drop-in base_url)."""
import openai
import pytest


def client_for(gateway, key):
    return openai.OpenAI(base_url=gateway.base + "/v1", api_key=key, max_retries=0, timeout=20)


def test_plain_and_streamed_chat(make_gateway):
    gateway = make_gateway()
    key = gateway.create_key()["key"]
    gateway.start()
    client = client_for(gateway, key)

    raw = client.chat.completions.with_raw_response.create(
        model="mock-small", messages=[{"role": "user", "content": "hello from the sdk"}]
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "echo: hello from the sdk"
    assert completion.usage.total_tokens > 0
    decision_id = raw.headers["rampart-decision-id"]

    stream = client.chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": "stream please"}], stream=True
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "tok0 tok1 tok2 tok3 tok4 "

    with_usage = client.chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": "x"}], stream=True, stream_options={"include_usage": True}
    )
    usage = [chunk.usage for chunk in with_usage if chunk.usage]
    assert usage and usage[0].completion_tokens == 5

    embedding = client.embeddings.create(model="mock-embed", input="vector me")
    assert len(embedding.data[0].embedding) == 4

    models = [m.id for m in client.models.list()]
    assert models == ["mock-small", "mock-large"]

    records = {r["id"]: r for r in gateway.decisions()}
    assert records[decision_id]["verdict"] == "allowed"
    assert records[decision_id]["usage"]["total_tokens"] == completion.usage.total_tokens
    assert len(records) == 5


def test_errors_surface_as_sdk_exceptions(make_gateway):
    gateway = make_gateway(limits="{ rate_per_second: 0.01, burst: 1 }")
    key = gateway.create_key()["key"]
    gateway.start()

    with pytest.raises(openai.AuthenticationError) as unauthorized:
        client_for(gateway, "rk_not_a_real_key").chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert unauthorized.value.status_code == 401
    assert unauthorized.value.code == "invalid_api_key"

    client = client_for(gateway, key)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert limited.value.status_code == 429
    assert int(limited.value.response.headers["retry-after"]) >= 1
    assert limited.value.code == "rate_limited"

    with pytest.raises(openai.BadRequestError) as bad:
        client_for(gateway, key).chat.completions.create(model="m", messages=[{"role": "wizard", "content": "x"}])
    assert bad.value.status_code == 400

    verdicts = sorted(r["verdict"] for r in gateway.decisions())
    assert verdicts == ["allowed", "refused", "refused", "refused"]


def test_revoked_key_is_refused(make_gateway):
    gateway = make_gateway()
    created = gateway.create_key()
    gateway.start()
    client = client_for(gateway, created["key"])
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    gateway.cli("keys", "revoke", created["id"])
    import time

    deadline = time.time() + 5
    while time.time() < deadline:
        try:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
            time.sleep(0.1)
        except openai.AuthenticationError:
            return
    raise AssertionError("the revoked key was still accepted after 5 s")
