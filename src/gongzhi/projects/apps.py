from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "gongzhi.projects"
    label = "projects"
    verbose_name = "项目执行与监督"
