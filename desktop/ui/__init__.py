"""The Qt front desk: a thin shell of widgets over ``desktop.terminal.Terminal``."""

import os

# Before QtMultimedia loads: on a desk PC without pipewire/VA-API it lists every missing
# library at start. Whoever wants that noise can set the variable themselves.
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.*=false")
