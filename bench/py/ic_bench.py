"""huggingface_hub InferenceClient side of the provider scenario (bench/driver.py).

    ic_bench.py ROUTER image PROMPT MODEL PROVIDER OUT_DIR   text_to_image, saves the PNG, prints its path
    ic_bench.py ROUTER chat PROMPT MODEL PROVIDER SYSTEM     chat_completion (no stream), prints the text

ROUTER is the fake router's base URL: InferenceClient has https://router.huggingface.co built in, so
`constants.INFERENCE_PROXY_TEMPLATE` is patched to it here. The model → provider-id lookup goes to
HF_ENDPOINT (the fake Hub); the token is HF_TOKEN. A whole process per call, like `hfs image`/`hfs chat`.
"""

import os
import sys


def main():
    router, kind, prompt, model, provider, extra = sys.argv[1:7]
    from huggingface_hub import InferenceClient, constants

    constants.INFERENCE_PROXY_TEMPLATE = router.rstrip("/") + "/{provider}"
    client = InferenceClient(provider=provider)
    if kind == "image":
        # text_to_image returns a PIL image; keep the exact bytes the client received (the PIL
        # import and parse still happen) so they can be written and compared byte for byte.
        from huggingface_hub.inference import _client

        got = []
        original = _client._bytes_to_image

        def keep(content):
            got.append(content)
            return original(content)

        _client._bytes_to_image = keep
        image = client.text_to_image(prompt, model=model)
        assert image.size[0] > 0
        path = os.path.join(extra, model.rsplit("/", 1)[-1].lower() + ".png")
        with open(path, "wb") as f:
            f.write(got[-1])
        print(path)
    elif kind == "chat":
        out = client.chat_completion(
            messages=[{"role": "system", "content": extra}, {"role": "user", "content": prompt}],
            model=model,
        )
        print(out.choices[0].message.content)
    else:
        raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
