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
$(B)/drivers/%.sys: $$(wildcard drivers/%/*.c drivers/%/*.h drivers/%/LIBS drivers/%/CFLAGS) $$(wildcard drivers/include/*.h) | deps
	@mkdir -p $(dir $@)
	$(MINGW_CC) $(DRV_CFLAGS) $(call drv_extra,$*,CFLAGS) $(DRV_LDFLAGS) -o $@ $(filter %.c,$^) \
	    $(call drv_extra,$*,LIBS) $(DRV_LIBS)

# Test variants: drivers/NAME/VARIANTS has one line per variant, "SUFFIX
# -DMACRO[=VALUE]", built from NAME's sources with that macro as
# build/drivers/NAME-SUFFIX.sys (the fault-injection hooks of
# drivers/include/xdrv_test_hooks.h). Explicit rules, so they win over the
# pattern rule above.
DRV_VARIANT_SPECS := $(foreach d,$(DRV_NAMES),$(if $(wildcard drivers/$(d)/VARIANTS),\
    $(shell sed -n 's/^\([a-z0-9_]*\)[[:space:]]\{1,\}\(-D[A-Za-z0-9_=]*\)[[:space:]]*$$/$(d):\1:\2/p' drivers/$(d)/VARIANTS)))

define drv_variant_rule
$(B)/drivers/$(1)-$(2).sys: $(wildcard drivers/$(1)/*.c drivers/$(1)/*.h drivers/$(1)/LIBS drivers/$(1)/CFLAGS drivers/$(1)/VARIANTS) $(wildcard drivers/include/*.h) | deps
	@mkdir -p $$(dir $$@)
	$$(MINGW_CC) $$(DRV_CFLAGS) $$(call drv_extra,$(1),CFLAGS) $(3) $$(DRV_LDFLAGS) -o $$@ $$(filter %.c,$$^) \
	    $$(call drv_extra,$(1),LIBS) $$(DRV_LIBS)
endef
$(foreach v,$(DRV_VARIANT_SPECS),$(eval $(call drv_variant_rule,$(word 1,$(subst :, ,$(v))),$(word 2,$(subst :, ,$(v))),$(word 3,$(subst :, ,$(v))))))
drivers: $(foreach v,$(DRV_VARIANT_SPECS),$(B)/drivers/$(word 1,$(subst :, ,$(v)))-$(word 2,$(subst :, ,$(v))).sys)
