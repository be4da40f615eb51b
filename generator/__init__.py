"""oapigen: OpenAPI 3.0/3.1/3.2 documents -> typed Python clients (dataclasses + httpx).

Pipeline, one module per stage, data flowing one way:
load -> validate -> build (IR) -> render (Jinja) -> format (black) -> write.
"""
