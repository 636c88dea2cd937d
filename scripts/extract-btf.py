#!/usr/bin/env python3
"""Cut the kernel's BTF out of an arm64 Image.

An arm64 Image is not an ELF file, so bpftool cannot read its .BTF section directly.
The blob is still there, byte-identical to /sys/kernel/btf/vmlinux on that kernel:
it starts with the BTF header (magic 0xeb9f, version 1, flags 0, hdr_len 24) and its
length follows from the header. Several candidates may match the magic by chance; the
real one is the largest that parses."""
import struct
import sys

MAGIC = b"\x9f\xeb\x01\x00\x18\x00\x00\x00"


def candidates(data):
    pos = data.find(MAGIC)
    while pos >= 0:
        hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<IIIII", data, pos + 4)
        size = hdr_len + max(type_off + type_len, str_off + str_len)
        if type_off + type_len <= str_off and pos + size <= len(data):
            yield data[pos:pos + size]
        pos = data.find(MAGIC, pos + 1)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-btf.py IMAGE OUT.btf")
    data = open(sys.argv[1], "rb").read()
    blobs = list(candidates(data))
    if not blobs:
        sys.exit("extract-btf: no BTF blob in %s" % sys.argv[1])
    with open(sys.argv[2], "wb") as out:
        out.write(max(blobs, key=len))


if __name__ == "__main__":
    main()
