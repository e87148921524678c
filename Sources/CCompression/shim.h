// The decompressors model files and packages use: zlib (zip deflate, zlib, gzip), liblzma (xz, lzma) and libbzip2
// (Debian: zlib1g-dev, liblzma-dev, libbz2-dev).
#include <zlib.h>
#include <lzma.h>
#include <bzlib.h>
