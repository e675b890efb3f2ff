import json
import sys

from django.core.management.base import BaseCommand

from hexie.standards.contract import ContractError, evaluate_request


class Command(BaseCommand):
    help = "按创建标准评估一个单位：读取 JSON 文件（- 为标准输入），输出评估结果 JSON"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 文件路径，或 - 表示标准输入")

    def handle(self, *args, file, **options):
        try:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
        except OSError as exc:
            self.stderr.write(f"无法读取 {file}：{exc.strerror}")
            sys.exit(2)
        except UnicodeDecodeError:
            self.stderr.write(f"无法读取 {file}：文件应为 UTF-8 编码的 JSON")
            sys.exit(2)
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            self.stderr.write(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}")
            sys.exit(2)
        try:
            result = evaluate_request(body)
        except ContractError as exc:
            where = f"[{exc.field}] " if exc.field else ""
            self.stderr.write(f"输入无效：{where}{exc.message}")
            sys.exit(2)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
