/* Loads an addon with musl's dynamic loader, every symbol bound at once (RTLD_NOW), and
 * finds its Node-API entry point: what a musl Node does before calling into it. Built by
 * tests/package/binaries.test.mjs with Debian's musl-gcc. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    printf("dlopen failed: %s\n", dlerror());
    return 1;
  }
  void *entry = dlsym(lib, "napi_register_module_v1");
  printf("{\"loaded\":true,\"napi_register_module_v1\":%s}\n", entry ? "true" : "false");
  return entry ? 0 : 1;
}
