{
  "targets": [
    {
      "target_name": "pcap_live",
      "sources": ["src/pcap_live.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lpcap"],
      "xcode_settings": { "OTHER_CFLAGS": ["-std=gnu11", "-O2", "-Wall"] }
    }
  ]
}
