"""Console entry points."""
import warnings

# Libraries below crashdump warn at import time about their own
# dependencies (oslo.service about eventlet, dnspython about DSA). The
# operator can do nothing about them, and they would bury the one sentence
# a refused start prints.
warnings.filterwarnings('ignore', module=r'(oslo_service|dns)\.')
