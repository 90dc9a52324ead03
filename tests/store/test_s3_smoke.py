from editcaption.store import ImageKey, open_store


def test_put_read_roundtrip(s3_server, tmp_path):
    store = open_store(s3_server.store_url(), tmp_path)
    store.check()
    data = b"\xff\xd8hello"
    key = store.put(data, ".jpg")
    assert isinstance(key, ImageKey)
    assert store.read_bytes(key) == data
    assert store.size(key) == len(data)
    assert list(store.iter_keys()) == [key]
    assert s3_server.objects() == [f"ws/{key.relpath}"]
