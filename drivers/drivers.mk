# The project's own Windows test drivers: each directory drivers/NAME/ with
# C sources becomes build/drivers/NAME.sys, a PE32 native image built by
# mingw-w64 against its DDK headers and import libraries.
DRV_DIRS    := $(sort $(dir $(wildcard drivers/*/*.c)))
DRV_NAMES   := $(patsubst drivers/%/,%,$(DRV_DIRS))
DRV_SYS     := $(DRV_NAMES:%=$(B)/drivers/%.sys)
DRV_CFLAGS  := -O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
               -ffreestanding -fno-stack-protector -fno-builtin -mno-stack-arg-probe \
               -fno-asynchronous-unwind-tables \
               -I/usr/i686-w64-mingw32/include/ddk -Idrivers/include -D_X86_=1 -DNTDDI_VERSION=0x05010000
DRV_LDFLAGS := -nostdlib -nostartfiles -shared -Wl,--subsystem,native \
               -Wl,--entry,_DriverEntry@8 -Wl,--image-base,0x10000 \
               -Wl,--file-alignment,0x200 -Wl,--section-alignment,0x1000 -Wl,--dynamicbase
DRV_LIBS    := -lntoskrnl -lhal -lgcc
# A driver that needs more import libraries lists them in drivers/NAME/LIBS
# (e.g. -lndis); drivers/NAME/CFLAGS adds compiler flags the same way.
drv_extra = $(shell cat drivers/$(1)/$(2) 2>/dev/null)

.PHONY: drivers
drivers: $(DRV_SYS)

.SECONDEXPANSION:
$(B)/drivers/%.sys: $$(wildcard drivers/%/*.c drivers/%/*.h drivers/%/LIBS drivers/%/CFLAGS) $$(wildcard drivers/include/*.h)
	@mkdir -p $(dir $@)
	$(MINGW_CC) $(DRV_CFLAGS) $(call drv_extra,$*,CFLAGS) $(DRV_LDFLAGS) -o $@ $(filter %.c,$^) \
	    $(call drv_extra,$*,LIBS) $(DRV_LIBS)
