from .residual import PreActBlock
